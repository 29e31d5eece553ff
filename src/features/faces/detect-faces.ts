// Face detection inside a worker, tuned for recall because a missed face is a child exposed; a
// false positive only costs a blurred patch of background. Detectors:
// - 'both' (default): RetinaFace and YuNet, their detections merged (union of each face's boxes);
// - 'retinaface': RetinaFace mnet.25 on onnxruntime-node, one pass over the whole photo at up to
//   2048 px plus a coarse pass (retinaface.ts);
// - 'yunet': YuNet on onnxruntime-node over the photo at its own resolution, in tiles (yunet.ts);
// - 'ssd': face-api's SSD MobileNetV1 on the whole image plus overlapping tiles, used when
//   onnxruntime-node cannot load on this platform, or when chosen (FACE_DETECTOR=ssd).
import { intersectionArea, iou } from './box-overlap';
import type { LoadedFaceApi } from './tf-backend';
import { cropRgb, type RawImage } from './raw-image';
import { detectWithRetinaFace, type RetinaFace } from './retinaface';
import { locateFaces } from './ssd-locate';
import { runYuNet, yunetTiles, type YuNet } from './yunet';
import { LIKELY_FACE_SCORE, type Box } from './types';

export type DetectorName = 'both' | 'retinaface' | 'yunet' | 'ssd';

export interface Detection {
  /** Covers every detection of this face (the union): what gets blurred. */
  box: Box;
  score: number;
  /** One detector box to describe the face from: the whole-image pass's when it saw the face,
   *  so descriptors match face-api's own chain (and enrolment photos) exactly. */
  describeBox: Box;
  fromTile: boolean;
}

export interface DetectOptions {
  /** SSD confidence floor on the whole image. */
  minConfidence: number;
  /** Confidence floor for tile passes: magnified tiles make SSD see faces in wallpaper and
   *  knees, so tiles need a higher floor than the whole-image pass to stay useful. */
  tileMinConfidence: number;
  /** Also run SSD on overlapping tiles when the image is large (SSD shrinks its input to 512 px,
   *  so a whole-image pass loses faces under ~40 px). */
  tiles: boolean;
  /** RetinaFace proposal floor. */
  retinaMinConfidence: number;
  /** RetinaFace fine-pass canvas (longest side, pixels). */
  canvasSide: number;
  /** YuNet score floor. */
  yunetMinConfidence: number;
}

export interface Detectors {
  api: LoadedFaceApi;
  /** Null when onnxruntime-node could not load: SSD is used instead. */
  retina: RetinaFace | null;
  /** Null when not chosen or when it could not load. */
  yunet: YuNet | null;
}

export async function detectFaces(models: Detectors, image: RawImage, opts: DetectOptions): Promise<Detection[]> {
  if (!models.retina && !models.yunet) return detectWithSsd(models.api, image, opts);
  const found: Detection[] = [];
  if (models.retina) {
    // With YuNet beside it, RetinaFace's fine pass runs only where it magnifies: on larger
    // photos YuNet has examined every pixel at native size and again at RetinaFace's reduced
    // size (YUNET_WHOLE_SIDES), which exposed fewer faces than RetinaFace's pass there.
    const retina = await detectWithRetinaFace(models.retina, image, { minConfidence: opts.retinaMinConfidence, canvasSide: opts.canvasSide, onlyMagnifyingFine: models.yunet !== null });
    found.push(...retina.map((d) => ({ box: d.box, score: d.score, describeBox: d.box, fromTile: false })));
  }
  if (models.yunet) {
    const yunet = await detectWithYuNet(models.yunet, image, opts.yunetMinConfidence);
    // RetinaFace's box is the one descriptors are cut from when both saw a face (enrolment
    // used it); YuNet's boxes count as "tile" boxes for that choice only.
    found.push(...yunet.map((d) => ({ box: d.box, score: d.score, describeBox: d.box, fromTile: models.retina !== null })));
  }
  // Passes and detectors can all see the same face: one face, blurred as the union.
  return mergeDetections(withoutWeakContainers(found));
}

/** RetinaFace's fine canvas for one image: the engine's (smaller images are enlarged up to it),
 *  or, not magnified (video frames, AnalyseOptions.magnify), no larger than the image itself:
 *  the fine pass then runs at scale 1. */
export function fineCanvasSide(canvasSide: number, width: number, height: number, magnify: boolean): number {
  return magnify ? canvasSide : Math.min(canvasSide, Math.max(width, height));
}

/** A weak detection (score under LIKELY_FACE_SCORE) that holds a likely face whole and is far
 *  larger than it is an arm, a torso or a jacket around that face, not a face: faces do not
 *  contain faces. Merged, it would swell the face's region (~35% of a photo pixelated for an
 *  arm, docs/accuracy.md); kept apart, it would be blurred over the face. Dropped. */
export const CONTAINER_AREA_RATIO = 2.5;

export function withoutWeakContainers(dets: Detection[]): Detection[] {
  const likely = dets.filter((d) => d.score >= LIKELY_FACE_SCORE);
  return dets.filter((d) => d.score >= LIKELY_FACE_SCORE || !likely.some((f) =>
    d.box.width * d.box.height > CONTAINER_AREA_RATIO * f.box.width * f.box.height
    && intersectionArea(d.box, f.box) >= 0.9 * f.box.width * f.box.height));
}

/** Longest sides of YuNet's whole-photo passes, each run where it reduces the photo to under 3/4
 *  of its size. 640 px: faces too big for the strides of the native-size tiles (beyond ~250 px,
 *  or cut by a tile). 2048 and 1280 px: intermediate scales for large photos, where YuNet finds
 *  crowd faces of 20-80 px that it misses at native size. On the 12 MP mosaics (detection-only
 *  probe, bench/probe-detect.ts, docs/accuracy.md) faces exposed fell from 97 to 63 of 3960 with
 *  1280, and to 42 with 2048 as well, replacing RetinaFace's fine pass at 2048 px (64 without it
 *  and without YuNet's 2048: RetinaFace's fine pass at that size adds little once YuNet looks). */
export const YUNET_WHOLE_SIDES = [2048, 1280, 640] as const;

/** YuNet over every pixel at the photo's own size (tiles when the photo is larger than one
 *  tile), plus reduced passes over the whole photo (YUNET_WHOLE_SIDES). */
export async function detectWithYuNet(net: YuNet, image: RawImage, minConfidence: number, sides: readonly number[] = YUNET_WHOLE_SIDES): Promise<Array<{ box: Box; score: number }>> {
  const found: Array<{ box: Box; score: number }> = [];
  for (const tile of yunetTiles(image.width, image.height)) found.push(...(await runYuNet(net, image, tile, 1, minConfidence)));
  for (const scale of yunetWholeScales(image.width, image.height, sides)) {
    found.push(...(await runYuNet(net, image, { x: 0, y: 0, width: image.width, height: image.height }, scale, minConfidence)));
  }
  return found;
}

/** Scales of YuNet's whole-photo passes for a width x height photo (see YUNET_WHOLE_SIDES). */
export function yunetWholeScales(width: number, height: number, sides: readonly number[] = YUNET_WHOLE_SIDES): number[] {
  const long = Math.max(width, height);
  return sides.map((side) => side / long).filter((scale) => scale < 0.75);
}

export async function detectWithSsd(api: LoadedFaceApi, image: RawImage, opts: DetectOptions): Promise<Detection[]> {
  const found = await detectIn(api, image, { x: 0, y: 0, width: image.width, height: image.height }, opts);
  if (!opts.tiles) return found;
  for (const tile of tilesFor(image.width, image.height)) {
    const inTile = await detectIn(api, image, tile, { ...opts, minConfidence: opts.tileMinConfidence });
    found.push(...inTile.map((d) => ({ ...d, fromTile: true })));
  }
  return mergeDetections(found);
}

async function detectIn(api: LoadedFaceApi, image: RawImage, area: Box, opts: DetectOptions): Promise<Detection[]> {
  const { tf } = api;
  const whole = area.width === image.width && area.height === image.height;
  const pixels = whole ? image.data : cropRgb(image, area).data;
  const input = tf.tensor3d(pixels, [area.height, area.width, 3], 'int32');
  try {
    // No cap on the number of faces: a face past a cap would simply not be blurred.
    const detections = await locateFaces(api, input, { minConfidence: opts.minConfidence, maxResults: Infinity });
    return detections.map((d) => {
      const box = { x: d.box.x + area.x, y: d.box.y + area.y, width: d.box.width, height: d.box.height };
      return { box, score: d.score, describeBox: box, fromTile: false };
    });
  } finally {
    input.dispose();
  }
}

/** Overlapping tiles, a 2 x 2 grid on a 1920 px image, each tile 60% of the longer side. SSD sees
 *  every tile at 512 px, so faces are magnified ~1.7x compared with the whole-image pass, and
 *  the overlap (>= 20%) is wider than a small face so one tile holds it whole. On the WIDER FACE
 *  crowd photos of the evaluation set this raised faces covered by a blur region from 74% to
 *  97%, at about twice the detection time; ordinary group photos stayed at 100% either way.
 *  Images that fit one tile get none. */
export function tilesFor(width: number, height: number, fraction = 0.6, minSide = 640): Box[] {
  const side = Math.max(minSide, Math.ceil(Math.max(width, height) * fraction));
  if (width <= side && height <= side) return [];
  const starts = (length: number): number[] => {
    if (length <= side) return [0];
    const count = Math.ceil(length / side) + (length % side > side * 0.8 ? 1 : 0);
    const step = (length - side) / Math.max(1, count - 1);
    return Array.from({ length: count }, (_, i) => Math.round(i * step));
  };
  const tiles: Box[] = [];
  for (const y of starts(height)) {
    for (const x of starts(width)) {
      tiles.push({ x, y, width: Math.min(side, width - x), height: Math.min(side, height - y) });
    }
  }
  return tiles;
}

/** Merges detections of the same face, best score first. Same face = IoU >= 0.45, or one box
 *  mostly (>= 70%) inside the other: a tile that cuts a face yields a partial box inside the
 *  full one. The merged box is the UNION, never the partial: keeping a partial box would leave
 *  part of the face outside the blur (fail closed). The thresholds stay high so two children
 *  cheek to cheek remain two faces, each blurred or kept on its own verdict. */
export function mergeDetections(dets: Detection[]): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    const same = kept.find((k) => isSameFace(k.box, d.box));
    if (!same) {
      kept.push({ ...d, box: { ...d.box } });
      continue;
    }
    same.box = union(same.box, d.box);
    if (same.fromTile && !d.fromTile) {
      same.describeBox = d.describeBox;
      same.fromTile = false;
    }
  }
  return kept;
}

function isSameFace(a: Box, b: Box): boolean {
  const inter = intersectionArea(a, b);
  return inter > 0 && (iou(a, b) >= 0.45 || inter / Math.min(a.width * a.height, b.width * b.height) >= 0.7);
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}
