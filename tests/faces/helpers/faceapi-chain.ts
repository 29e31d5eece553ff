import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Box } from '../../../src/features/faces/types';

export interface ChainFace {
  box: Box;
  descriptor: Float32Array;
}

/** face-api's own chain on a photo, in a throwaway worker thread. */
export function runFaceApiChain(photo: Buffer, minConfidence: number): Promise<ChainFace[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, '..', 'fixtures', 'faceapi-chain-worker.ts'), {
      workerData: { photo, minConfidence },
      execArgv: ['--require', 'tsx/cjs'],
    });
    worker.once('message', (faces: Array<{ box: Box; descriptor: number[] }>) => {
      resolve(faces.map((f) => ({ box: f.box, descriptor: Float32Array.from(f.descriptor) })));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`face-api chain worker exited (${code})`)));
  });
}

export { iou } from '../../../src/features/faces/box-overlap';

/** True when `inner` lies inside `outer` (tolerance in pixels). */
export function covers(outer: Box, inner: Box, tolerance = 2): boolean {
  return outer.x <= inner.x + tolerance && outer.y <= inner.y + tolerance &&
    outer.x + outer.width >= inner.x + inner.width - tolerance && outer.y + outer.height >= inner.y + inner.height - tolerance;
}
