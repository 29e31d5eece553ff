// Worker-thread entry: one tfjs backend and one copy of the models per thread, loaded once.
// Receives oriented RGB pixels (a transferred ArrayBuffer: no copy), returns boxes in those
// pixels' coordinates, scores and descriptors. Knows nothing about HTTP, files or pupils.
import { parentPort, workerData } from 'node:worker_threads';
import { detectFaces } from './detect-faces';
import { describeFace } from './describe-faces';
import { loadFaceApi, type LoadedFaceApi } from './tf-backend';
import type { Box } from './types';

export interface WorkerSettings {
  minConfidence: number;
  tileMinConfidence: number;
  tiles: boolean;
  /** Detections scoring below this get no descriptor (so they can never match: blurred). */
  describeMinScore: number;
}

export interface AnalyseRequest {
  pixels: ArrayBuffer;
  width: number;
  height: number;
}

export interface WorkerFace {
  box: Box;
  score: number;
  descriptor: Float32Array | null;
}

export interface AnalyseResponse {
  faces: WorkerFace[];
  timings: { detect: number; describe: number };
  /** Live tensors after the job: must stay flat across jobs (else memory leaks). */
  tensors: number;
}

async function analyse(api: LoadedFaceApi, settings: WorkerSettings, req: AnalyseRequest): Promise<AnalyseResponse> {
  const image = { data: new Uint8Array(req.pixels), width: req.width, height: req.height };
  if (image.data.length !== req.width * req.height * 3) throw new Error('pixel buffer does not match its size');
  const t0 = performance.now();
  const detections = await detectFaces(api, image, settings);
  const t1 = performance.now();
  const faces: WorkerFace[] = [];
  for (const d of detections) {
    // A weak detection is blurred whatever it is; describing it would only cost time (crowds
    // produce many) and offer the matcher a poor descriptor to misread.
    const describe = d.score >= (settings.describeMinScore);
    faces.push({ box: d.box, score: d.score, descriptor: describe ? await describeFace(api, image, d.describeBox) : null });
  }
  const t2 = performance.now();
  return { faces, timings: { detect: t1 - t0, describe: t2 - t1 }, tensors: api.tf.memory().numTensors };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('face-worker must run in a worker thread');
  const settings = workerData as WorkerSettings;
  const api = await loadFaceApi();
  // One job at a time per worker: the pool never sends a second before the first answers.
  port.on('message', (req: AnalyseRequest) => {
    analyse(api, settings, req).then(
      (result) => {
        const transfer = result.faces.flatMap((f) => (f.descriptor ? [f.descriptor.buffer as ArrayBuffer] : []));
        port.postMessage({ type: 'result', ok: true, result }, transfer);
      },
      (err: unknown) => port.postMessage({ type: 'result', ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ type: 'ready', info: { backend: api.backend } });
}

main().catch((err: unknown) => {
  // Thrown out of the worker: the pool sees the exit and reports that start-up failed.
  throw err;
});
