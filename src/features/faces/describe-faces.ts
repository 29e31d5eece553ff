// Face descriptors inside a worker, following face-api's own chain (detection box -> 68
// landmarks -> aligned box -> 128-d descriptor) but cutting every crop from the raw RGB buffer in
// JS. face-api's extractFaceTensors copies the whole image out of wasm memory twice per face
// (~75 ms per face at 1920 px); a JS crop costs well under a millisecond.
import type { LoadedFaceApi } from './tf-backend';
import { clipToImage, cropRgb, type RawImage } from './raw-image';
import type { Box } from './types';

/** Below this side (in detection-image pixels) landmarks and descriptors are noise: such a face
 *  gets no descriptor, can never be matched, and is therefore always blurred. */
export const MIN_DESCRIBE_SIDE = 24;

/** face-api's alignment constants (FaceLandmarks.alignDlib): keep them identical so descriptors
 *  stay comparable with references enrolled by face-api's own chain. */
const ALIGN_X = 0.5;
const ALIGN_Y = 0.43;
const ALIGN_SCALE = 0.45;

export async function describeFace(api: LoadedFaceApi, image: RawImage, box: Box): Promise<Float32Array | null> {
  if (Math.min(box.width, box.height) < MIN_DESCRIBE_SIDE) return null;
  const faceRect = faceApiCrop(box, image.width, image.height);
  if (!faceRect) return null;
  const landmarks = await landmarksIn(api, image, faceRect, box);
  const aligned = faceApiCrop(alignedBox(landmarks), image.width, image.height);
  if (!aligned || Math.min(aligned.width, aligned.height) < MIN_DESCRIBE_SIDE / 2) return null;
  const descriptor = await withTensor(api, cropRgb(image, aligned), (t) =>
    api.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(t as never),
  );
  const result = descriptor as Float32Array;
  // A non-finite descriptor would compare as "no distance" and could match anything.
  // Copy into its own buffer so it can be transferred to the main thread on its own.
  return result.length === 128 && result.every(Number.isFinite) ? new Float32Array(result) : null;
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
async function landmarksIn(api: LoadedFaceApi, image: RawImage, rect: Box, box: Box): Promise<Array<{ x: number; y: number }>> {
  const crop = cropRgb(image, rect);
  const found = await withTensor(api, crop, (t) => api.faceapi.nets.faceLandmark68Net.detectLandmarks(t as never));
  const one = Array.isArray(found) ? found[0] : found;
  // relativePositions are fractions of the crop; shift back into the whole image.
  return one.relativePositions.map((p) => ({ x: box.x + p.x * rect.width, y: box.y + p.y * rect.height }));
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

async function withTensor<T>(api: LoadedFaceApi, crop: RawImage, run: (t: unknown) => Promise<T>): Promise<T> {
  const tensor = api.tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
  try {
    return await run(tensor);
  } finally {
    tensor.dispose();
  }
}
