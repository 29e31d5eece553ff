// YuNet (libfacedetection, "yunet_n", 76 k parameters) face detection on onnxruntime-node, inside a
// worker. Small and cheap per pixel, with better recall on small and turned faces than RetinaFace
// mnet.25 (WIDER FACE hard AP 0.811 against 0.742): it runs on the photo at its own resolution,
// in overlapping tiles for large photos, so a 12 MP phone photo is examined at the size the safe
// copy shows it (docs/accuracy.md). The model file ships in models/ (models/README.md: source,
// checksum, licence). Decoding follows OpenCV's FaceDetectorYN (objdetect/src/face_detect.cpp).
import fs from 'node:fs';
import path from 'node:path';
import { suppress } from './retinaface';
import type { RawImage } from './raw-image';
import type { Box } from './types';
import { toPlanar } from './planar-input';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

export interface YuNet {
  ort: Ort;
  session: Session;
}

export interface YuNetDetection {
  box: Box;
  score: number;
  /** Five points (right eye, left eye, nose tip, right and left mouth corners), image pixels. */
  landmarks: Array<[number, number]>;
}

const STRIDES = [8, 16, 32] as const;
/** Input sides are padded (with zeros, as OpenCV does) to a multiple of the coarsest stride. */
const ALIGN = 32;
/** OpenCV's default for YuNet. */
const NMS_IOU = 0.3;
/** Tiles for large photos: the side of one run and the overlap between neighbours. The overlap
 *  is wider than the largest face a tile may cut (bigger faces are found by the whole-photo
 *  passes at reduced size), so every face below it lies whole inside some tile. */
export const TILE_SIDE = 1536;
export const TILE_OVERLAP = 160;

export const YUNET_MODEL_FILE = 'yunet_n_dynamic.onnx';

export function yunetModelPath(): string {
  // models/ at the repository root, from src/features/faces or dist/src/features/faces.
  const candidates = [path.resolve(__dirname, '../../../models', YUNET_MODEL_FILE), path.resolve(__dirname, '../../../../models', YUNET_MODEL_FILE)];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`YuNet model not found (looked for ${candidates.join(', ')})`);
  return found;
}

export async function loadYuNet(threads = 1): Promise<YuNet> {
  const ort = require('onnxruntime-node') as Ort;
  const session = await ort.InferenceSession.create(yunetModelPath(), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  return { ort, session };
}

/** Detections of one run over `area` of the image scaled by `scale` (1 = native pixels), in
 *  image pixels. */
export async function runYuNet(net: YuNet, image: RawImage, area: Box, scale: number, minConfidence: number): Promise<YuNetDetection[]> {
  const width = Math.max(1, Math.round(area.width * scale));
  const height = Math.max(1, Math.round(area.height * scale));
  const inW = Math.ceil(width / ALIGN) * ALIGN;
  const inH = Math.ceil(height / ALIGN) * ALIGN;
  const input = toPlanarBgr(image, area, width, height, inW, inH);
  const out = await net.session.run({ input: new net.ort.Tensor('float32', input, [1, 3, inH, inW]) });
  const found: YuNetDetection[] = [];
  for (const stride of STRIDES) {
    decodeYuNetStride({
      cls: out[`cls_${stride}`]!.data as Float32Array,
      obj: out[`obj_${stride}`]!.data as Float32Array,
      bbox: out[`bbox_${stride}`]!.data as Float32Array,
      kps: out[`kps_${stride}`]!.data as Float32Array,
    }, { stride, cols: inW / stride, rows: inH / stride, minConfidence }, found);
  }
  const kept = suppress(found, NMS_IOU) as YuNetDetection[];
  return kept.flatMap((d) => {
    // Clip to the real (unpadded) area, then back to image pixels.
    const x0 = Math.max(0, d.box.x);
    const y0 = Math.max(0, d.box.y);
    const x1 = Math.min(width, d.box.x + d.box.width);
    const y1 = Math.min(height, d.box.y + d.box.height);
    if (x1 <= x0 || y1 <= y0) return [];
    return [{
      box: { x: area.x + x0 / scale, y: area.y + y0 / scale, width: (x1 - x0) / scale, height: (y1 - y0) / scale },
      score: d.score,
      landmarks: d.landmarks.map(([px, py]): [number, number] => [area.x + px / scale, area.y + py / scale]),
    }];
  });
}

interface YuNetOutputs {
  cls: Float32Array;
  obj: Float32Array;
  bbox: Float32Array;
  kps: Float32Array;
}

/** One stride's anchor-free outputs -> boxes in input pixels. Score = sqrt(cls x obj), each
 *  clamped to [0, 1]; centre = (cell + offset) x stride; size = exp(log-size) x stride. */
export function decodeYuNetStride(o: YuNetOutputs, l: { stride: number; cols: number; rows: number; minConfidence: number }, into: YuNetDetection[]): void {
  const cells = l.cols * l.rows;
  for (let i = 0; i < cells; i += 1) {
    const score = Math.sqrt(clamp01(o.cls[i]!) * clamp01(o.obj[i]!));
    if (!(score >= l.minConfidence)) continue;
    const c = i % l.cols;
    const r = Math.floor(i / l.cols);
    const cx = (c + o.bbox[i * 4]!) * l.stride;
    const cy = (r + o.bbox[i * 4 + 1]!) * l.stride;
    const w = Math.exp(o.bbox[i * 4 + 2]!) * l.stride;
    const h = Math.exp(o.bbox[i * 4 + 3]!) * l.stride;
    if (!Number.isFinite(cx + cy + w + h)) continue;
    const landmarks: Array<[number, number]> = [];
    for (let k = 0; k < 5; k += 1) landmarks.push([(o.kps[i * 10 + 2 * k]! + c) * l.stride, (o.kps[i * 10 + 2 * k + 1]! + r) * l.stride]);
    into.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score, landmarks });
  }
}

const clamp01 = (v: number) => (v > 1 ? 1 : v > 0 ? v : 0);

/** Overlapping tiles covering a width x height image: as few per axis as keep each tile within
 *  `side` px, sized evenly so neighbours overlap by `overlap` px and no more (a 12 MP photo:
 *  3 x 3 tiles of ~1430 x 1093 px, 14 MP examined for 12.2 MP of photo). */
export function yunetTiles(width: number, height: number, side = TILE_SIDE, overlap = TILE_OVERLAP): Box[] {
  const spans = (length: number): Array<[number, number]> => {
    if (length <= side) return [[0, length]];
    const count = Math.ceil((length - overlap) / (side - overlap));
    const size = Math.ceil((length + (count - 1) * overlap) / count);
    return Array.from({ length: count }, (_, i) => {
      const start = Math.min(length - size, i * (size - overlap));
      return [start, size] as [number, number];
    });
  };
  const tiles: Box[] = [];
  for (const [y, h] of spans(height)) for (const [x, w] of spans(width)) tiles.push({ x, y, width: w, height: h });
  return tiles;
}

/** `area` of the RGB image -> planar BGR float32 (YuNet takes raw 0-255 BGR, as OpenCV reads
 *  it), resampled bilinearly to width x height and zero-padded to inW x inH. */
export function toPlanarBgr(image: RawImage, area: Box, width: number, height: number, inW: number, inH: number): Float32Array {
  return toPlanar(image, area, width, height, inW, inH, 'bgr');
}
