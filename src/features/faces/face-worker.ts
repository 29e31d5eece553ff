// Worker-thread entry: one tfjs backend and one copy of the models per thread, loaded once.
// Receives oriented RGB pixels (a transferred ArrayBuffer: no copy), returns boxes in those
// pixels' coordinates, scores and descriptors. Knows nothing about HTTP, files or pupils.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { detectFaces, fineCanvasSide, type DetectorName, type Detectors } from './detect-faces';
import { describeFaces } from './describe-faces';
import { loadOnnxFaceNets, tfjsFaceNets, type FaceNets } from './face-nets';
import { loadRetinaFace, type RetinaFace } from './retinaface';
import { loadFaceApi, type LoadedFaceApi } from './tf-backend';
import { LIKELY_FACE_SCORE, type Box } from './types';
import { loadYuNet, type YuNet } from './yunet';

export interface WorkerSettings {
  detector: DetectorName;
  minConfidence: number;
  tileMinConfidence: number;
  tiles: boolean;
  retinaMinConfidence: number;
  canvasSide: number;
  yunetMinConfidence: number;
  /** 'onnx' (face-api's weights on onnxruntime-node) or 'tfjs' (face-api itself). */
  describer: DescriberName;
  /** onnxruntime threads in this worker (RetinaFace and the describing nets): cores / workers. */
  ortThreads: number;
  /** Detections scoring below this get no descriptor (so they can never match: blurred). */
  describeMinScore: number;
}

export type DescriberName = 'onnx' | 'tfjs';

export interface AnalyseRequest {
  pixels: ArrayBuffer;
  width: number;
  height: number;
  /** RetinaFace's fine pass may enlarge the image up to the canvas (AnalyseOptions.magnify). */
  magnify: boolean;
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

interface Models extends Detectors {
  nets: FaceNets;
}

async function analyse(models: Models, settings: WorkerSettings, req: AnalyseRequest): Promise<AnalyseResponse> {
  const { api } = models;
  const image = { data: new Uint8Array(req.pixels), width: req.width, height: req.height };
  if (image.data.length !== req.width * req.height * 3) throw new Error('pixel buffer does not match its size');
  const t0 = performance.now();
  const canvasSide = fineCanvasSide(settings.canvasSide, req.width, req.height, req.magnify);
  const detections = await detectFaces(models, image, { ...settings, canvasSide });
  const t1 = performance.now();
  // A weak detection is blurred whatever it is; describing it would only cost time (crowds
  // produce many) and offer the matcher a poor descriptor to misread.
  const likely = detections.filter((d) => d.score >= settings.describeMinScore);
  const descriptors = await describeFaces(models.nets, image, likely.map((d) => d.describeBox));
  const described = new Map(likely.map((d, i) => [d, descriptors[i]!]));
  const faces: WorkerFace[] = detections.map((d) => ({ box: d.box, score: d.score, descriptor: described.get(d) ?? null }));
  const t2 = performance.now();
  return { faces, timings: { detect: t1 - t0, describe: t2 - t1 }, tensors: api.tf.memory().numTensors };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('face-worker must run in a worker thread');
  const settings = workerData as WorkerSettings;
  const wantRetina = settings.detector === 'retinaface' || settings.detector === 'both';
  const wantYuNet = settings.detector === 'yunet' || settings.detector === 'both';
  const { retina, detectorProblem } = wantRetina ? await tryRetinaFace(settings.ortThreads) : { retina: null, detectorProblem: null };
  const { yunet, yunetProblem } = wantYuNet ? await tryYuNet(settings.ortThreads) : { yunet: null, yunetProblem: null };
  const api = await loadFaceApi({ ssd: !retina && !yunet });
  const { nets, describerProblem } = settings.describer === 'onnx' ? await tryOnnxNets(api, settings.ortThreads) : { nets: tfjsFaceNets(api), describerProblem: null };
  const models: Models = { api, retina, yunet, nets };
  // One job at a time per worker: the pool never sends a second before the first answers.
  port.on('message', (req: AnalyseRequest) => {
    analyse(models, settings, req).then(
      (result) => {
        const transfer = result.faces.flatMap((f) => (f.descriptor ? [f.descriptor.buffer as ArrayBuffer] : []));
        port.postMessage({ type: 'result', ok: true, result }, transfer);
      },
      (err: unknown) => port.postMessage({ type: 'result', ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
  // Known faces first: a worker whose models load but find nobody (a corrupt model file, a
  // broken backend) must not report ready and pass every photo as "no faces".
  const selfTest = await selfTestProblem(models, settings);
  if (selfTest) throw new Error(`face worker self-test failed: ${selfTest}`);
  port.postMessage({ type: 'ready', info: { backend: api.backend, detector: detectorName(retina, yunet), detectorProblem: detectorProblem ?? yunetProblem, describer: nets.kind, describerProblem } });
}

/** face-api's own demo photo of three people (it ships in node_modules), 640 px wide: each
 *  must be found as likely faces and described with 128 finite numbers (SSD scores them 0.99,
 *  0.82, 0.76; RetinaFace higher). */
export const SELF_TEST_FACES = 3;

async function selfTestProblem(models: Models, settings: WorkerSettings): Promise<string | null> {
  const sharp = (await import('sharp')).default;
  const file = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample2.jpg');
  const { data, info } = await sharp(file).resize(640).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer;
  const result = await analyse(models, settings, { pixels, width: info.width, height: info.height, magnify: true });
  const sure = result.faces.filter((f) => f.score >= LIKELY_FACE_SCORE);
  if (sure.length < SELF_TEST_FACES) return `found ${sure.length} of the ${SELF_TEST_FACES} faces in the sample photo`;
  const described = sure.filter((f) => f.descriptor?.length === 128 && f.descriptor.every(Number.isFinite));
  if (described.length < SELF_TEST_FACES) return `described ${described.length} of the ${SELF_TEST_FACES} faces in the sample photo`;
  return null;
}

/** onnxruntime-node ships binaries for the common platforms only; elsewhere the engine keeps
 *  working with SSD (slower, and it misses more of the smallest crowd faces) and says so. */
async function tryRetinaFace(threads: number): Promise<{ retina: RetinaFace | null; detectorProblem: string | null }> {
  try {
    return { retina: await loadRetinaFace(threads), detectorProblem: null };
  } catch (err) {
    return { retina: null, detectorProblem: err instanceof Error ? err.message : String(err) };
  }
}

function detectorName(retina: RetinaFace | null, yunet: YuNet | null): DetectorName {
  if (retina && yunet) return 'both';
  return retina ? 'retinaface' : yunet ? 'yunet' : 'ssd';
}

async function tryYuNet(threads: number): Promise<{ yunet: YuNet | null; yunetProblem: string | null }> {
  try {
    return { yunet: await loadYuNet(threads), yunetProblem: null };
  } catch (err) {
    return { yunet: null, yunetProblem: err instanceof Error ? err.message : String(err) };
  }
}

/** Where onnxruntime-node cannot load, face-api describes on tfjs: the same numbers, ~5x slower. */
async function tryOnnxNets(api: LoadedFaceApi, threads: number): Promise<{ nets: FaceNets; describerProblem: string | null }> {
  try {
    return { nets: await loadOnnxFaceNets(api, threads), describerProblem: null };
  } catch (err) {
    return { nets: tfjsFaceNets(api), describerProblem: err instanceof Error ? err.message : String(err) };
  }
}

main().catch((err: unknown) => {
  // Thrown out of the worker: the pool sees the exit and reports that start-up failed.
  throw err;
});
