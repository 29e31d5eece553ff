import { AppError } from '../../platform/errors';
import { recordAnalysis } from '../../platform/metrics';
import type { AnalyseOptions, Analysis, EngineHealth, FaceEngine } from './types';

/** The same engine, counting each analysis's outcome and duration for /metrics (both modes). */
export function measuredEngine(engine: FaceEngine): FaceEngine {
  return {
    get backend() { return engine.backend; },
    get detector() { return engine.detector; },
    get describer() { return engine.describer; },
    get workers() { return engine.workers; },
    get problem() { return engine.problem; },
    async analyse(image: Buffer, options?: AnalyseOptions): Promise<Analysis> {
      const t0 = performance.now();
      const seconds = () => (performance.now() - t0) / 1000;
      try {
        const analysis = await engine.analyse(image, options);
        recordAnalysis('completed', seconds());
        return analysis;
      } catch (err) {
        const code = err instanceof AppError ? err : null;
        recordAnalysis(code?.code === 'busy' ? 'busy' : code && code.status < 500 ? 'rejected' : 'failed', seconds());
        throw err;
      }
    },
    health: engine.health ? (): Promise<EngineHealth> => engine.health!() : undefined,
    close: () => engine.close(),
  };
}
