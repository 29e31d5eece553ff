// RetinaFace (MobileNet-0.25, "mnet.25") face detection on onnxruntime-node, inside a worker.
// The model file is read from the `retinaface` npm package (models/README.md records where it
// comes from and its licence). It finds faces down to ~10 px, where face-api's SSD shrinks every
// input to 512 px and needs five passes over tiles to find crowd faces; here one pass over the
// whole photo at up to 2048 px replaces them (docs/performance.md, docs/accuracy.md).
import fs from 'node:fs';
import path from 'node:path';
import { iou } from './box-overlap';
import type { RawImage } from './raw-image';
import type { Box } from './types';
import { toPlanar } from './planar-input';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

export interface RetinaFaceDetection {
  box: Box;
  score: number;
}

export interface RetinaFaceOptions {
  /** Proposals scoring below this are dropped. Low on purpose (a missed face is a child exposed). */
  minConfidence: number;
  /** Longest side the photo is scaled to for the fine pass; small photos are enlarged up to 2x
   *  so faces of ~5 px in a 1024 px crowd photo reach the ~10 px the network needs. */
  canvasSide: number;
  /** Skip the fine pass when it would shrink the photo (photos larger than canvasSide): set when
   *  YuNet examines the photo at its own size and at the same reduced size (detect-faces.ts). */
  onlyMagnifyingFine?: boolean;
}

export interface RetinaFace {
  ort: Ort;
  session: Session;
}

/** The network's three feature strides and, per stride, the anchor sizes (pixels of the input)
 *  in the order of its output channels: insightface's configuration for mnet.25. */
const STRIDES: ReadonlyArray<{ stride: number; anchors: readonly number[] }> = [
  { stride: 32, anchors: [512, 256] },
  { stride: 16, anchors: [128, 64] },
  { stride: 8, anchors: [32, 16] },
];
/** Input sides must be multiples of the coarsest stride: the feature pyramid adds an upsampled
 *  stride-32 map to the stride-16 one, and their sizes must agree. */
const ALIGN = 32;
/** Same-pass duplicates: RetinaFace's own setting. Neighbouring faces in a crowd overlap far less. */
const NMS_IOU = 0.4;
/** Faces larger than about a third of the fine canvas outgrow the biggest anchors; a coarse
 *  pass over the whole photo at this size finds them (a selfie, a close-up portrait). */
const COARSE_SIDE = 320;
/** Enlarging by less than this is not worth the extra pixels. */
const MIN_UPSCALE = 1.15;
const MAX_UPSCALE = 2;

export function retinaFaceModelPath(): string {
  return path.join(path.dirname(require.resolve('retinaface/package.json')), 'mnet.25_v2.onnx');
}

/** Loads the model with its input height and width made symbolic, so one run covers a whole
 *  photo of any size (the file declares 640 x 640; every layer is convolutional, and the two
 *  reshapes use 0 / -1 dimensions, so nothing else depends on the size). */
export async function loadRetinaFace(threads = 1): Promise<RetinaFace> {
  const ort = require('onnxruntime-node') as Ort;
  const model = withDynamicInput(fs.readFileSync(retinaFaceModelPath()));
  // Threads: the cores left to each worker (one when the pool runs one worker per core).
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  return { ort, session };
}

function withDynamicInput(bytes: Buffer): Uint8Array {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  const input = graph?.input?.find((i) => i.name === 'data');
  const dims = input?.type?.tensorType?.shape?.dim;
  if (!graph || !dims || dims.length !== 4) throw new Error('unexpected RetinaFace model: no 4-d "data" input');
  dims[2] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'height' });
  dims[3] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'width' });
  for (const output of graph.output ?? []) if (output.type?.tensorType) output.type.tensorType.shape = null;
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}

/** Every face in the image, in its pixel coordinates: a fine pass over the photo scaled to the
 *  canvas and a coarse pass for faces too big for the fine pass's anchors. */
export async function detectWithRetinaFace(rf: RetinaFace, image: RawImage, opts: RetinaFaceOptions): Promise<RetinaFaceDetection[]> {
  const long = Math.max(image.width, image.height);
  let fine = Math.min(MAX_UPSCALE, opts.canvasSide / long);
  if (fine > 1 && fine < MIN_UPSCALE) fine = 1;
  const skipFine = opts.onlyMagnifyingFine === true && fine < 1;
  const found = skipFine ? [] : await runAtScale(rf, image, fine, opts.minConfidence);
  // An enlarged photo is also seen at its own size: a second scale finds some faces at the edge
  // of what the network resolves (WIDER crowds: 8 -> 6 of 187 exposed, docs/accuracy.md).
  if (fine > 1) found.push(...(await runAtScale(rf, image, 1, opts.minConfidence)));
  const coarse = COARSE_SIDE / long;
  if (coarse < fine / 2) found.push(...(await runAtScale(rf, image, coarse, opts.minConfidence)));
  return found;
}

export async function runAtScale(rf: RetinaFace, image: RawImage, scale: number, minConfidence: number): Promise<RetinaFaceDetection[]> {
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const inW = Math.ceil(width / ALIGN) * ALIGN;
  const inH = Math.ceil(height / ALIGN) * ALIGN;
  const input = toPlanarInput(image, width, height, inW, inH);
  const tensor = new rf.ort.Tensor('float32', input, [1, 3, inH, inW]);
  const out = await rf.session.run({ data: tensor });
  const proposals: RetinaFaceDetection[] = [];
  for (const { stride, anchors } of STRIDES) {
    const scores = out[`face_rpn_cls_prob_reshape_stride${stride}`]!.data as Float32Array;
    const deltas = out[`face_rpn_bbox_pred_stride${stride}`]!.data as Float32Array;
    decodeStride(scores, deltas, { stride, anchors, cols: inW / stride, rows: inH / stride, minConfidence }, proposals);
  }
  // Back to image pixels, clipped to the real (unpadded) area.
  return suppress(proposals, NMS_IOU).flatMap((p) => {
    const x = Math.max(0, p.box.x) / scale;
    const y = Math.max(0, p.box.y) / scale;
    const right = Math.min(width, p.box.x + p.box.width) / scale;
    const bottom = Math.min(height, p.box.y + p.box.height) / scale;
    if (right <= x || bottom <= y) return [];
    return [{ box: { x, y, width: right - x, height: bottom - y }, score: p.score }];
  });
}

interface StrideLayout {
  stride: number;
  anchors: readonly number[];
  cols: number;
  rows: number;
  minConfidence: number;
}

/** Scores are [background x anchors, face x anchors] planes; deltas 4 planes per anchor
 *  (dx, dy, dw, dh relative to the anchor). */
export function decodeStride(scores: Float32Array, deltas: Float32Array, l: StrideLayout, into: RetinaFaceDetection[]): void {
  const plane = l.cols * l.rows;
  const count = l.anchors.length;
  for (let a = 0; a < count; a += 1) {
    const size = l.anchors[a]!;
    const scoreBase = (count + a) * plane;
    const deltaBase = a * 4 * plane;
    for (let i = 0; i < plane; i += 1) {
      const score = scores[scoreBase + i]!;
      if (!(score >= l.minConfidence)) continue; // also drops NaN
      const cx = (i % l.cols) * l.stride + 7.5 + deltas[deltaBase + i]! * size;
      const cy = Math.floor(i / l.cols) * l.stride + 7.5 + deltas[deltaBase + plane + i]! * size;
      const w = size * Math.exp(deltas[deltaBase + 2 * plane + i]!);
      const h = size * Math.exp(deltas[deltaBase + 3 * plane + i]!);
      if (!Number.isFinite(w + h + cx + cy)) continue;
      into.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score });
    }
  }
}

/** Greedy non-maximum suppression, best score first. */
export function suppress(dets: RetinaFaceDetection[], maxIou: number): RetinaFaceDetection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: RetinaFaceDetection[] = [];
  for (const d of sorted) if (!kept.some((k) => iou(k.box, d.box) > maxIou)) kept.push(d);
  return kept;
}

/** RGB bytes -> planar float32 (the network subtracts its own mean), resampled bilinearly to
 *  width x height and zero-padded to inW x inH. */
export function toPlanarInput(image: RawImage, width: number, height: number, inW: number, inH: number): Float32Array {
  return toPlanar(image, { x: 0, y: 0, width: image.width, height: image.height }, width, height, inW, inH, 'rgb');
}
