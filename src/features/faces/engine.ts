// The face engine: decode on this thread with sharp (async, libuv pool, so the HTTP thread stays
// responsive), run the models in a pool of worker threads, map results back to the oriented
// original image. The only place that knows workers exist.
import os from 'node:os';
import path from 'node:path';
import { busy, engineFailed } from '../../platform/errors';
import { silentLogger, type Logger } from '../../platform/logger';
import { blurRegionFor } from './blur-geometry';
import type { DetectorName } from './detect-faces';
import type { AnalyseRequest, AnalyseResponse, DescriberName, WorkerSettings } from './face-worker';
import { COPY_MAX_SIDE, copySize, decodeForDetection, DEFAULT_MAX_PIXELS } from './image';
import { takeSharedDecode, type SharedDecode } from './safe-copy';
import { WorkerPool } from './worker-pool';
import { LIKELY_FACE_SCORE, type AnalyseOptions, type Analysis, type Box, type EngineHealth, type Face, type FaceEngine } from './types';

export interface FaceEngineOptions {
  /** Worker threads, each with its own backend and models (~0.4 GiB each on wasm). */
  workers?: number;
  /** Cores this engine may use (default: all the machine's); each worker thread gets its share
   *  of onnxruntime threads. Lower it when several engines share a machine (worker processes). */
  cores?: number;
  /** Photos allowed to wait for a worker; more are refused with 503 busy. */
  maxQueue?: number;
  /** Per photo, queueing included; beyond it the job fails and its worker is replaced. */
  jobTimeoutMs?: number;
  /** 'both' (default: RetinaFace and YuNet), 'retinaface', 'yunet' or 'ssd' (see detect-faces.ts). */
  detector?: DetectorName;
  /** 'onnx' (default) or 'tfjs': where face-api's landmark and descriptor nets run (face-nets.ts). */
  describer?: DescriberName;
  /** RetinaFace proposal floor. */
  retinaMinConfidence?: number;
  /** Longest side of the photo for RetinaFace's fine pass (small photos are enlarged up to 2x). */
  canvasSide?: number;
  /** YuNet score floor. */
  yunetMinConfidence?: number;
  /** SSD confidence floor. Low on purpose: a false positive blurs some background, a miss
   *  exposes a child. 0.2-0.3 found 100% of faces in ordinary group photos (MEASURED.md). */
  minConfidence?: number;
  /** Confidence floor on tiles (see detect-faces.ts). */
  tileMinConfidence?: number;
  /** Longest side of the image the detectors see, and of the safe copy: larger photos are
   *  reduced to it (never refused), so the copy never shows a pixel that was not examined. */
  maxSide?: number;
  /** Extra SSD passes on overlapping tiles for small faces (see detect-faces.ts). */
  tiles?: boolean;
  /** Detections below this score are blurred without computing a descriptor. */
  describeMinScore?: number;
  maxPixels?: number;
  logger?: Logger;
  /** Test hook: another worker script speaking the same protocol (a fake detector). */
  workerFile?: string;
}

export const DEFAULT_MIN_CONFIDENCE = 0.25;
/** Calibrated on ../shared/eval (docs/accuracy.md). */
export const DEFAULT_RETINA_MIN_CONFIDENCE = 0.3;
/** 1024 px crowd photos are enlarged 2x (faces of 5-10 px), 12 MP photos reduced to 2048 px:
 *  the smallest face found is about 0.5% of the photo's longest side either way. */
export const DEFAULT_CANVAS_SIDE = 2048;
/** Weak detections (mostly background caught by the tiles in crowds) stay blurred without a
 *  descriptor. On ../shared/eval, 0.4 and 0.6 kept retention at 7/7 and false reveals at 0/283,
 *  while the bench crowd's describe stage fell from 2.4 s to 1.5 s (docs/performance.md). */
export const DEFAULT_DESCRIBE_MIN_SCORE = LIKELY_FACE_SCORE;
export const DEFAULT_TILE_MIN_CONFIDENCE = 0.25;
/** YuNet score floor, calibrated on ../shared/eval and eval-12mp as a whole (docs/accuracy.md):
 *  WIDER crowds exposed 4.0% at 0.3, 2.5% at 0.25, 1.3% at 0.2, retention 7/7 throughout once
 *  weak containers are dropped. Its weak detections are blurred, never described. */
export const DEFAULT_YUNET_MIN_CONFIDENCE = 0.2;
/** Detection sees the photo at the size of the safe copy: a 12 MP phone photo (4032 px) whole.
 *  Larger photos (48-200 MP phone modes) are reduced to this, copy included. Before, detection
 *  saw 1920 px while the copy kept 4032 px, and 64% of the faces of 12 MP crowd mosaics were
 *  left sharp (docs/accuracy.md). */
export const DEFAULT_MAX_SIDE = COPY_MAX_SIDE;

const workerFile = (): string => {
  // Under ts-jest or tsx this module is a .ts file and so is its worker; compiled, both are .js.
  const ext = path.extname(__filename) === '.ts' ? '.ts' : '.js';
  return path.join(__dirname, `face-worker${ext}`);
};

class PooledFaceEngine implements FaceEngine {
  private closed = false;

  constructor(
    readonly pool: WorkerPool,
    private readonly opts: Required<Pick<FaceEngineOptions, 'maxSide' | 'maxPixels'>>,
    private readonly logger: Logger,
  ) {}

  get backend(): string {
    return String(this.pool.info.backend ?? 'unknown');
  }

  /** The detector the workers actually run ('both', 'retinaface', 'yunet' or 'ssd'). */
  get detector(): string {
    return String(this.pool.info.detector ?? 'unknown');
  }

  /** Where the landmark and descriptor nets actually run ('onnx' or 'tfjs'). */
  get describer(): string {
    return String(this.pool.info.describer ?? 'unknown');
  }

  get workers(): number {
    return this.pool.size;
  }

  /** Live tensors in the worker that ran the latest job (diagnostics and leak tests). */
  lastTensorCount = -1;

  async analyse(buf: Buffer, options: AnalyseOptions = {}): Promise<Analysis> {
    if (this.closed) throw engineFailed();
    // Refuse before decoding when the queue is full: decoding first would waste the work.
    if (!this.pool.hasRoom() || options.signal?.aborted) throw busy();
    // Taken at once (before any await): a check offers its safe-copy decode just before calling.
    const offer = this.opts.maxSide >= COPY_MAX_SIDE ? takeSharedDecode(buf) : undefined;
    const t0 = performance.now();
    const offered = offer ? await offer.catch(() => null) : null;
    const shared = offered && usableForDetection(offered, this.opts.maxPixels) ? offered : null;
    const input = shared
      ? { info: shared.info, image: { data: shared.pixels.data, width: shared.pixels.width, height: shared.pixels.height }, scale: 1 }
      : await decodeForDetection(buf, this.opts.maxSide, { maxPixels: this.opts.maxPixels });
    const t1 = performance.now();
    const { image, info, scale } = input;
    const pixels = ownBuffer(image.data);
    const request: AnalyseRequest = { pixels, width: image.width, height: image.height, magnify: options.magnify !== false };
    // The safe copy's pixels are never transferred (that would detach them from the copy): the
    // message copies them. Our own decode's may be moved.
    const res = await this.pool.run<AnalyseResponse>(request, shared ? [] : [pixels], options.signal);
    this.lastTensorCount = res.tensors;
    // Fail closed on nonsense from a detector: a NaN box would blur no pixels and pass as
    // "blurred", so the photo fails instead.
    const problem = res.faces.find((f) => !isSound(f.box, f.score, f.descriptor));
    if (problem) {
      this.logger.error({ faces: res.faces.length }, 'face worker returned a non-finite box, score or descriptor; failing the photo');
      throw engineFailed();
    }
    // Boxes in safe-copy pixels: the oriented photo, reduced to COPY_MAX_SIDE when larger.
    const copy = copySize(info.width, info.height);
    const faces: Face[] = res.faces.map((f) => {
      const box = toOriginal(f.box, scale, copy.width, copy.height);
      // A fresh copy (512 bytes): a structured-cloned array belongs to the realm that received
      // the message, which under jest's sandbox is not the caller's, and instanceof fails.
      const descriptor = f.descriptor ? new Float32Array(f.descriptor) : null;
      return { box, score: f.score, descriptor, blurRegion: blurRegionFor(box, copy.width, copy.height) };
    });
    const timings = { decode: t1 - t0, ...res.timings, total: performance.now() - t0 };
    this.logger.debug({ faces: faces.length, ...roundAll(timings) }, 'photo analysed');
    return { width: copy.width, height: copy.height, format: info.format, faces, timings };
  }

  async health(): Promise<EngineHealth> {
    return { mode: 'embedded', waiting: this.pool.waiting, active: this.pool.running, workers: this.pool.size };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}

export async function createFaceEngine(opts: FaceEngineOptions = {}): Promise<FaceEngine> {
  const logger = opts.logger ?? silentLogger;
  const workers = Math.max(1, opts.workers ?? os.availableParallelism());
  const settings: WorkerSettings = {
    detector: opts.detector ?? 'both',
    describer: opts.describer ?? 'onnx',
    // A single worker may use every core for onnxruntime; the wasm backend cannot.
    ortThreads: Math.max(1, Math.floor((opts.cores ?? os.availableParallelism()) / workers)),
    retinaMinConfidence: opts.retinaMinConfidence ?? DEFAULT_RETINA_MIN_CONFIDENCE,
    canvasSide: opts.canvasSide ?? DEFAULT_CANVAS_SIDE,
    yunetMinConfidence: opts.yunetMinConfidence ?? DEFAULT_YUNET_MIN_CONFIDENCE,
    minConfidence: opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
    tileMinConfidence: opts.tileMinConfidence ?? DEFAULT_TILE_MIN_CONFIDENCE,
    tiles: opts.tiles ?? true,
    describeMinScore: opts.describeMinScore ?? DEFAULT_DESCRIBE_MIN_SCORE,
  };
  const pool = await WorkerPool.start({
    file: opts.workerFile ?? workerFile(),
    size: workers,
    maxQueue: opts.maxQueue ?? 32,
    jobTimeoutMs: opts.jobTimeoutMs ?? 120_000,
    workerData: settings,
    logger,
  });
  if (pool.info.detectorProblem) {
    logger.warn({ problem: pool.info.detectorProblem }, 'a detector could not load (onnxruntime-node or its model file); detecting with what loaded');
  }
  if (pool.info.describerProblem) {
    logger.warn({ problem: pool.info.describerProblem }, 'onnxruntime-node could not run the descriptor nets; describing with face-api on tfjs instead');
  }
  logger.info({ backend: pool.info.backend, workers: pool.size, ...settings, detector: pool.info.detector, describer: pool.info.describer }, 'face engine ready');
  return new PooledFaceEngine(pool, { maxSide: opts.maxSide ?? DEFAULT_MAX_SIDE, maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS }, logger);
}

/** Internals for tests and diagnostics; not part of the public API. */
export function engineInternals(engine: FaceEngine): { pool: WorkerPool; lastTensorCount: number } {
  if (!(engine instanceof PooledFaceEngine)) throw new Error('not a pooled face engine');
  return { pool: engine.pool, lastTensorCount: engine.lastTensorCount };
}

/** Detection-image box -> oriented original image, rounded outwards and clamped. */
function toOriginal(box: Box, scale: number, width: number, height: number): Box {
  const x = Math.max(0, Math.floor(box.x / scale));
  const y = Math.max(0, Math.floor(box.y / scale));
  const right = Math.min(width, Math.ceil((box.x + box.width) / scale));
  const bottom = Math.min(height, Math.ceil((box.y + box.height) / scale));
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

function isSound(box: Box, score: number, descriptor: ArrayLike<number> | null | undefined): boolean {
  const finite = [box.x, box.y, box.width, box.height, score].every(Number.isFinite);
  if (!finite || box.width < 0 || box.height < 0) return false;
  if (!descriptor) return true;
  for (let i = 0; i < descriptor.length; i++) if (!Number.isFinite(descriptor[i]!)) return false;
  return true;
}

/** The safe copy's decode serves detection when it is what decodeForDetection would give:
 *  three channels at the copy's size (always, at COPY_MAX_SIDE) within this engine's limit. */
function usableForDetection(shared: SharedDecode, maxPixels: number): boolean {
  const { info, pixels } = shared;
  const size = copySize(info.width, info.height);
  return pixels.channels === 3 && pixels.width === size.width && pixels.height === size.height
    && info.width * info.height <= maxPixels && pixels.data.byteLength === size.width * size.height * 3;
}

/** An ArrayBuffer holding exactly these bytes, so the message carries nothing else. sharp's
 *  output buffers are external memory that cannot be detached, so postMessage copies them
 *  (~15-40 ms at 12 MP, docs/performance.md) and this thread keeps its pixels for the safe copy. */
function ownBuffer(data: Uint8Array): ArrayBuffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) return data.buffer;
  return data.slice().buffer as ArrayBuffer;
}

function roundAll(t: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)]));
}
