// The face engine's contract. Everything outside src/features/faces uses only these types and
// the functions exported from src/features/faces/index.ts; nothing else imports tfjs or sharp's
// face pipeline directly.

/** A rectangle in pixels of the oriented (EXIF-rotated) original image, top-left origin. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A detection scoring at least this is taken for a face: it gets a descriptor, counts as a
 *  person in a reference photo and as a face in a check's summary. Weaker detections (a hand, a
 *  pattern, a blurred background) are blurred all the same, never matched. */
export const LIKELY_FACE_SCORE = 0.5;

export interface Face {
  /** The detector's box. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** 128-d face descriptor, or null when the face could not be described reliably (too small,
   *  landmarks failed). A face without a descriptor can never be matched, so it is blurred. */
  descriptor: Float32Array | null;
  /** The region the safe copy blurs for this face: generously larger than `box`, clamped to
   *  the image. */
  blurRegion: Box;
}

export interface Analysis {
  /** Size of the oriented original image. */
  width: number;
  height: number;
  format: ImageFormat;
  faces: Face[];
  /** Milliseconds per stage (decode, detect, describe, ...), for logs and benchmarks. */
  timings: Record<string, number>;
}

/** How one image is examined. */
export interface AnalyseOptions {
  /** Enlarge an image smaller than RetinaFace's fine canvas (2048 px) for its fine pass, so that
   *  faces of a few pixels are found (default true: photos). Video frames pass false: at 720p
   *  the enlarged pass cost 2.3x the detection time and found 1 more crowd face under 20 px of
   *  960 (bench/probe-detect.ts, docs/performance.md), while a clip examines every face in
   *  several frames. */
  magnify?: boolean;
  /** Aborted: give the photo up with busy (503) if it is still waiting for a face thread; one
   *  already being analysed finishes. A queue worker holding a job ahead uses it to hand the
   *  job back before its deadline. */
  signal?: AbortSignal;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'heic';

export interface FaceEngine {
  /** 'tensorflow' (tfjs-node) or 'wasm'. */
  readonly backend: string;
  /** 'retinaface' or 'ssd': the detector the workers run. */
  readonly detector: string;
  /** 'onnx' or 'tfjs': where the landmark and descriptor nets run. */
  readonly describer: string;
  readonly workers: number;
  /** Why the engine cannot check photos (models failed to load, not started), or undefined. */
  readonly problem?: string;
  /** Decode (honouring EXIF orientation), detect every face and describe each.
   *  Rejects with an AppError for bad input (415 unsupported type, 422 corrupt or too large)
   *  and with an AppError 'engine_failed' (503) when inference fails or the engine is closed. */
  analyse(image: Buffer, options?: AnalyseOptions): Promise<Analysis>;
  /** Queue depth and workers right now, for /api/health and /metrics. */
  health?(): Promise<EngineHealth>;
  close(): Promise<void>;
}

export interface EngineHealth {
  /** 'embedded': worker threads in this process; 'queue': worker processes behind Redis. */
  mode: 'embedded' | 'queue';
  /** Photos waiting for a worker (in queue mode: this school's). */
  waiting: number;
  /** Photos being analysed right now (in queue mode: this school's). */
  active: number;
  /** Worker threads (embedded) or worker processes seen in the last minute (queue). */
  workers: number;
  /** Queue mode: age of this school's oldest waiting photo, in seconds, or null. */
  oldestWaitingSeconds?: number | null;
  /** Queue mode. */
  redis?: 'up' | 'down';
  school?: string;
}
