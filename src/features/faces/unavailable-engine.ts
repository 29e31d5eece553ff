import { engineFailed } from '../../platform/errors';
import type { FaceEngine } from './types';

/** Stands in when the models could not be loaded: the register and accounts keep working, and
 *  every photo check fails closed with a clear error instead of returning an unblurred copy. */
export function unavailableEngine(reason: string): FaceEngine {
  return {
    backend: 'unavailable',
    detector: 'unavailable',
    describer: 'unavailable',
    workers: 0,
    problem: reason,
    analyse: () => Promise.reject(engineFailed(`The face engine is not running (${reason}); no photo can be checked.`)),
    close: () => Promise.resolve(),
  };
}
