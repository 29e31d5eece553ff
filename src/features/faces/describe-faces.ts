// Face descriptors inside a worker, following face-api's own chain (detection box -> 68
// landmarks -> aligned box -> 128-d descriptor) but cutting every crop from the raw RGB buffer in
// JS. face-api's extractFaceTensors copies the whole image out of wasm memory twice per face
// (~75 ms per face at 1920 px); a JS crop costs well under a millisecond. All of a photo's faces
// go through each network together (see face-nets.ts).
import type { FaceNets } from './face-nets';
import { clipToImage, cropRgb, type RawImage } from './raw-image';
import type { Box } from './types';

/** Below this side (in detection-image pixels) a descriptor is too unreliable to match on: such
 *  a face gets no descriptor, can never be matched, and is therefore always blurred. Measured
 *  with bench/probe-faces.ts (docs/accuracy.md): the eval set's 104 identity faces downscaled to
 *  N px wide drift from their own full-size descriptor by (median / max) 0.47 / 0.59 at 24 px,
 *  0.36 / 0.51 at 32 px, 0.30 / 0.39 at 40 px, 0.25 / 0.34 at 48 px. Under 40 px a face can end
 *  further from itself than MATCH_THRESHOLD (0.5): whoever it then resembles is chance. Raised
 *  from 24. */
export const MIN_DESCRIBE_SIDE = 40;

/** face-api's alignment constants (FaceLandmarks.alignDlib): keep them identical so descriptors
 *  stay comparable with references enrolled by face-api's own chain. */
const ALIGN_X = 0.5;
const ALIGN_Y = 0.43;
const ALIGN_SCALE = 0.45;

/** One descriptor per box, or null where the face is too small to describe (always blurred). */
export async function describeFaces(nets: FaceNets, image: RawImage, boxes: Box[]): Promise<Array<Float32Array | null>> {
  const results: Array<Float32Array | null> = boxes.map(() => null);
  const first = boxes.flatMap((box, i) => {
    const rect = Math.min(box.width, box.height) >= MIN_DESCRIBE_SIDE ? faceApiCrop(box, image.width, image.height) : null;
    return rect ? [{ i, box, rect }] : [];
  });
  if (first.length === 0) return results;
  const landmarks = await nets.landmarks(first.map((f) => cropRgb(image, f.rect)));
  const second = first.flatMap((f, n) => {
    const aligned = faceApiCrop(alignedBox(toImagePoints(landmarks[n]!, f.rect, f.box)), image.width, image.height);
    return aligned && Math.min(aligned.width, aligned.height) >= MIN_DESCRIBE_SIDE / 2 ? [{ i: f.i, aligned }] : [];
  });
  if (second.length === 0) return results;
  const descriptors = await nets.descriptors(second.map((f) => cropRgb(image, f.aligned)));
  second.forEach((f, n) => {
    const d = descriptors[n]!;
    // A non-finite descriptor would compare as "no distance" and could match anything.
    results[f.i] = d.length === 128 && d.every(Number.isFinite) ? d : null;
  });
  return results;
}

/** The crop face-api's extractFaceTensors takes (clip, then floor x, y, width and height).
 *  Matching it to the pixel keeps our descriptors within ~0.01 of face-api's own chain; a crop
 *  one pixel wider already moves descriptors by ~0.05. */
function faceApiCrop(box: Box, width: number, height: number): Box | null {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const w = Math.floor(Math.min(box.x + box.width - x, width - x));
  const h = Math.floor(Math.min(box.y + box.height - y, height - y));
  if (w <= 0 || h <= 0) return null;
  return clipToImage({ x: Math.floor(x), y: Math.floor(y), width: w, height: h }, width, height);
}

/** 68 landmark points in image coordinates. Like face-api, shift by the detector's unrounded
 *  box origin rather than the crop's: a sub-pixel bias, kept for compatibility. */
function toImagePoints(relative: Float32Array, rect: Box, box: Box): Array<{ x: number; y: number }> {
  const points: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < relative.length; i += 2) points.push({ x: box.x + relative[i]! * rect.width, y: box.y + relative[i + 1]! * rect.height });
  return points;
}

/** face-api's "dlib" alignment, the one its descriptor chain uses: a square centred between the
 *  eye and mouth centres, sized from the eye-to-mouth distance, so the crop is the same part of
 *  the face whatever box the detector drew. */
function alignedBox(points: Array<{ x: number; y: number }>): Box {
  const leftEye = centre(points.slice(36, 42));
  const rightEye = centre(points.slice(42, 48));
  const mouth = centre(points.slice(48, 68));
  const eyeToMouth = (Math.hypot(mouth.x - leftEye.x, mouth.y - leftEye.y) + Math.hypot(mouth.x - rightEye.x, mouth.y - rightEye.y)) / 2;
  const size = Math.floor(eyeToMouth / ALIGN_SCALE);
  const ref = centre([leftEye, rightEye, mouth]);
  return { x: Math.floor(ref.x - ALIGN_X * size), y: Math.floor(ref.y - ALIGN_Y * size), width: size, height: size };
}

function centre(points: Array<{ x: number; y: number }>): { x: number; y: number } {
  const sum = points.reduce((acc, p) => ({ x: acc.x + p.x, y: acc.y + p.y }), { x: 0, y: 0 });
  return { x: sum.x / points.length, y: sum.y / points.length };
}
