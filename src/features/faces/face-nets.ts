// The two networks behind a descriptor (68 landmarks, then the 128-d embedding), run either on
// onnxruntime-node (the default: face-api's own weights rebuilt as ONNX graphs, all of a photo's
// faces in one batch, every core the worker may use) or through face-api on tfjs (the fallback
// where onnxruntime-node cannot load). Both see exactly the same pixels and give the same numbers
// to float rounding, so descriptors from either are comparable with any enrolled reference.
import {
  landmarkOnnx, LANDMARK_INPUT, MEAN_RGB, recognitionOnnx, RECOGNITION_INPUT,
  type LandmarkParams, type RecognitionParams,
} from './face-api-onnx';
import type { RawImage } from './raw-image';
import type { LoadedFaceApi } from './tf-backend';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

export interface FaceNets {
  /** 'onnx' or 'tfjs'. */
  readonly kind: string;
  /** Per crop, 68 (x, y) points as fractions of the crop's width and height. */
  landmarks(crops: RawImage[]): Promise<Float32Array[]>;
  /** Per crop, the 128-d descriptor. */
  descriptors(crops: RawImage[]): Promise<Float32Array[]>;
}

/** A photo's faces go through in batches of at most this many (bounded memory in crowds). */
const BATCH = 16;

export async function loadOnnxFaceNets(api: LoadedFaceApi, threads: number): Promise<FaceNets> {
  const ort = require('onnxruntime-node') as Ort;
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const nets = api.faceapi.nets as unknown as {
    faceRecognitionNet: { params: RecognitionParams };
    faceLandmark68Net: { params: { fc: LandmarkParams['fc'] }; faceFeatureExtractor: { params: LandmarkParams['extractor'] } };
  };
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  const landmarkModel = landmarkOnnx(onnx, { extractor: nets.faceLandmark68Net.faceFeatureExtractor.params, fc: nets.faceLandmark68Net.params.fc });
  const recognitionModel = recognitionOnnx(onnx, nets.faceRecognitionNet.params);
  const landmarkSession = await ort.InferenceSession.create(landmarkModel, options);
  const recognitionSession = await ort.InferenceSession.create(recognitionModel, options);
  return {
    kind: 'onnx',
    async landmarks(crops) {
      const raw = await runBatched(ort, landmarkSession, crops, LANDMARK_INPUT, 136);
      return raw.map((out, i) => toRelativeLandmarks(out, crops[i]!.width, crops[i]!.height));
    },
    descriptors: (crops) => runBatched(ort, recognitionSession, crops, RECOGNITION_INPUT, 128),
  };
}

async function runBatched(ort: Ort, session: Session, crops: RawImage[], side: number, width: number): Promise<Float32Array[]> {
  const results: Float32Array[] = [];
  for (let start = 0; start < crops.length; start += BATCH) {
    const batch = crops.slice(start, start + BATCH);
    const plane = side * side * 3;
    const input = new Float32Array(batch.length * plane);
    batch.forEach((crop, i) => toNetInput(crop, side, input.subarray(i * plane, (i + 1) * plane)));
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [batch.length, 3, side, side]) });
    const data = out[session.outputNames[0]!]!.data as Float32Array;
    for (let i = 0; i < batch.length; i += 1) results.push(data.slice(i * width, (i + 1) * width));
  }
  return results;
}

/** face-api's NetInput.toBatchTensor(side, true) and normalize(): the crop centred on a black
 *  square (the odd pixel of padding goes after), resized bilinearly (tf.image.resizeBilinear,
 *  no corner alignment, no half-pixel centres), minus the mean colour, over 255; written planar
 *  (NCHW) into `out`. */
export function toNetInput(crop: RawImage, side: number, out: Float32Array): void {
  const { width: w, height: h, data } = crop;
  const square = Math.max(w, h);
  const diff = Math.abs(w - h);
  const before = diff - Math.round(diff * 0.5);
  const offX = w < h ? before : 0;
  const offY = h < w ? before : 0;
  const scale = square / side;
  const plane = side * side;
  // Per output column and row: the two source columns / rows (-1 where the padded square is
  // padding, i.e. 0) and the blend weight, computed once instead of per pixel and channel.
  // Same arithmetic as face-api's resize, so the same floats (tests/faces/face-nets.test.ts).
  const cols = sourceTaps(side, scale, square, offX, w);
  const rows = sourceTaps(side, scale, square, offY, h);
  const m0 = MEAN_RGB[0];
  const m1 = MEAN_RGB[1];
  const m2 = MEAN_RGB[2];
  for (let y = 0; y < side; y += 1) {
    const ya = rows.a[y]!;
    const yb = rows.b[y]!;
    const fy = rows.f[y]!;
    const rowA = ya * w * 3;
    const rowB = yb * w * 3;
    for (let x = 0; x < side; x += 1) {
      const xa = cols.a[x]!;
      const xb = cols.b[x]!;
      const fx = cols.f[x]!;
      const o = y * side + x;
      // Index of each tap, or -1 for padding (value 0).
      const tl = ya >= 0 && xa >= 0 ? rowA + xa * 3 : -1;
      const tr = ya >= 0 && xb >= 0 ? rowA + xb * 3 : -1;
      const bl = yb >= 0 && xa >= 0 ? rowB + xa * 3 : -1;
      const br = yb >= 0 && xb >= 0 ? rowB + xb * 3 : -1;
      for (let c = 0; c < 3; c += 1) {
        const vtl = tl < 0 ? 0 : data[tl + c]!;
        const top = vtl + ((tr < 0 ? 0 : data[tr + c]!) - vtl) * fx;
        const vbl = bl < 0 ? 0 : data[bl + c]!;
        const bottom = vbl + ((br < 0 ? 0 : data[br + c]!) - vbl) * fx;
        out[c * plane + o] = (top + (bottom - top) * fy - (c === 0 ? m0 : c === 1 ? m1 : m2)) / 255;
      }
    }
  }
}

/** For each of `side` output positions: the source index of the lower and upper tap in the
 *  crop (-1 when it falls in the padding) and the fraction between them. */
function sourceTaps(side: number, scale: number, square: number, offset: number, length: number): { a: Int32Array; b: Int32Array; f: Float64Array } {
  const a = new Int32Array(side);
  const b = new Int32Array(side);
  const f = new Float64Array(side);
  const inside = (v: number) => (v - offset < 0 || v - offset >= length ? -1 : v - offset);
  for (let i = 0; i < side; i += 1) {
    const s = i * scale;
    const s0 = Math.floor(s);
    const s1 = Math.min(square - 1, Math.ceil(s));
    a[i] = inside(s0);
    b[i] = inside(s1);
    f[i] = s - s0;
  }
  return { a, b, f };
}

/** face-api's FaceLandmark68NetBase.postProcess: undo the centring padding, as fractions of the
 *  crop. Output is x0, y0, x1, y1, ... in the padded square's units (0..1). */
export function toRelativeLandmarks(out: Float32Array, width: number, height: number): Float32Array {
  const scale = LANDMARK_INPUT / Math.max(width, height);
  const w = width * scale;
  const h = height * scale;
  const padX = w < h ? Math.abs(w - h) / 2 : 0;
  const padY = h < w ? Math.abs(w - h) / 2 : 0;
  const rel = new Float32Array(out.length);
  for (let i = 0; i < out.length; i += 2) {
    rel[i] = (out[i]! * LANDMARK_INPUT - padX) / w;
    rel[i + 1] = (out[i + 1]! * LANDMARK_INPUT - padY) / h;
  }
  return rel;
}

/** face-api itself, one crop at a time, on whichever tfjs backend loaded. */
export function tfjsFaceNets(api: LoadedFaceApi): FaceNets {
  return {
    kind: 'tfjs',
    async landmarks(crops) {
      const results: Float32Array[] = [];
      for (const crop of crops) {
        const found = await withTensor(api, crop, (t) => api.faceapi.nets.faceLandmark68Net.detectLandmarks(t as never));
        const one = Array.isArray(found) ? found[0] : found;
        results.push(Float32Array.from(one.relativePositions.flatMap((p) => [p.x, p.y])));
      }
      return results;
    },
    async descriptors(crops) {
      const results: Float32Array[] = [];
      for (const crop of crops) {
        const d = await withTensor(api, crop, (t) => api.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(t as never));
        results.push(Float32Array.from(d as Float32Array));
      }
      return results;
    },
  };
}

async function withTensor<T>(api: LoadedFaceApi, crop: RawImage, run: (t: unknown) => Promise<T>): Promise<T> {
  const tensor = api.tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
  try {
    return await run(tensor);
  } finally {
    tensor.dispose();
  }
}
