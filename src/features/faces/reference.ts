// Enrolment photos ("references"): the office uploads a portrait of each pupil. A poor reference
// is dangerous: one small greyscale crop attracted most false matches (MEASURED.md), and a
// photo with two children could enrol the wrong face under a consented pupil - who would then
// be left unblurred. So the rules are strict, and every refusal says why.
import sharp from 'sharp';
import { inspectImage, orientedPipeline, type ImageLimits } from './image';
import { clipToImage } from './raw-image';
import { centreInside } from './box-overlap';
import { LIKELY_FACE_SCORE, type Analysis, type Box, type Face } from './types';

export type ReferenceProblem = 'no_face' | 'several_faces' | 'face_too_small' | 'low_score' | 'no_descriptor' | 'greyscale' | 'too_blurry';

export type ReferenceAssessment =
  | { ok: true; face: Face; /** 0..1, higher is better: prefer the best references. */ quality: number }
  | { ok: false; reason: ReferenceProblem };

/** Face width in pixels below which a descriptor is too unreliable to enrol. The descriptor is
 *  computed on a 150 px crop, so a smaller face is upsampled guesswork. Raised from 80 in the
 *  calibration (docs/accuracy.md): the one 90 px reference of the dev set was the nearest
 *  enrolled face for most strangers that came close to a match, as MEASURED.md warned. */
export const MIN_REFERENCE_WIDTH = 100;
/** Detector score below which the "face" may be a poster, a hand or half a face. */
export const MIN_REFERENCE_SCORE = 0.8;
export function assessReference(analysis: Analysis): ReferenceAssessment {
  const faces = [...analysis.faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  // The child is the largest likely face; a larger faint patch (a blurred background, a hand) is
  // not a face to enrol or to refuse for.
  const main = faces.find((f) => f.score >= LIKELY_FACE_SCORE) ?? faces[0];
  if (!main) return { ok: false, reason: 'no_face' };
  // Any other likely face is another person, unless its centre lies inside the main face's box:
  // that is a second guess at the same face (two people's faces cannot overlap that much).
  // A face cut by the photo's edge and clearly smaller than the main one is a neighbour's chin
  // or cheek left in the crop (YuNet finds those), not a face the office could mean to enrol.
  const cutNeighbour = (f: Face) => touchesEdge(f.box, analysis.width, analysis.height) && f.box.width < main.box.width * 0.6;
  const others = faces.filter((f) => f !== main && f.score >= LIKELY_FACE_SCORE && !centreInside(f.box, main.box) && !cutNeighbour(f));
  if (others.length > 0) return { ok: false, reason: 'several_faces' };
  if (main.box.width < MIN_REFERENCE_WIDTH) return { ok: false, reason: 'face_too_small' };
  if (main.score < MIN_REFERENCE_SCORE) return { ok: false, reason: 'low_score' };
  if (!main.descriptor) return { ok: false, reason: 'no_descriptor' };
  // Size saturates at 160 px: the descriptor works on a 150 px crop, more adds nothing.
  const quality = main.score * Math.min(1, main.box.width / 160);
  return { ok: true, face: main, quality };
}

function touchesEdge(b: Box, width: number, height: number): boolean {
  return b.x <= 1 || b.y <= 1 || b.x + b.width >= width - 1 || b.y + b.height >= height - 1;
}

/** Mean saturation (0..1) below which the face is taken as greyscale: sepia and black-and-white
 *  portraits describe skin tone badly and attract false matches. */
const MIN_SATURATION = 0.08;
/** Variance of the Laplacian on the face at 128 px below which it is out of focus. Measured on
 *  the face-api samples: sharp portraits 200-290, the same after a Gaussian blur of sigma 2
 *  50-60 (and sigma 4 is no longer detected with confidence at all). */
const MIN_SHARPNESS = 80;

/** assessReference plus pixel checks (greyscale, blur) on the face itself. */
export async function assessReferencePhoto(buf: Buffer, analysis: Analysis, limits: ImageLimits = {}): Promise<ReferenceAssessment> {
  const verdict = assessReference(analysis);
  if (!verdict.ok) return verdict;
  const data = await (await faceCrop(buf, verdict.face.box, 128, limits)).raw().toBuffer();
  if (meanSaturation(data) < MIN_SATURATION) return { ok: false, reason: 'greyscale' };
  if (laplacianVariance(data, 128, 128) < MIN_SHARPNESS) return { ok: false, reason: 'too_blurry' };
  return verdict;
}

/** A small JPEG of the face for the office to check that the right child was enrolled.
 *  Metadata is not copied (sharp writes none unless asked). */
export async function makeThumbnail(buf: Buffer, box: Box, side = 96, limits: ImageLimits = {}): Promise<Buffer> {
  return (await faceCrop(buf, box, side, limits)).jpeg({ quality: 85 }).toBuffer();
}

async function faceCrop(buf: Buffer, box: Box, side: number, limits: ImageLimits): Promise<sharp.Sharp> {
  const info = await inspectImage(buf, limits);
  const pipeline = await orientedPipeline(buf, info, limits);
  // Decode to raw first: extract() after rotate() must see the oriented image.
  const { data, info: raw } = await pipeline.flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const pad = 0.2;
  const square = Math.max(box.width, box.height) * (1 + pad);
  const rect = clipToImage(
    { x: box.x + box.width / 2 - square / 2, y: box.y + box.height / 2 - square / 2, width: square, height: square },
    raw.width,
    raw.height,
  ) ?? { x: 0, y: 0, width: raw.width, height: raw.height };
  return sharp(data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
    .extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height })
    .resize(side, side, { fit: 'cover' });
}

function meanSaturation(rgb: Buffer): number {
  let sum = 0;
  const n = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) {
    const max = Math.max(rgb[i], rgb[i + 1], rgb[i + 2]);
    const min = Math.min(rgb[i], rgb[i + 1], rgb[i + 2]);
    sum += max === 0 ? 0 : (max - min) / max;
  }
  return sum / n;
}

function laplacianVariance(rgb: Buffer, width: number, height: number): number {
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i += 1) grey[i] = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const i = y * width + x;
      const lap = grey[i - width] + grey[i + width] + grey[i - 1] + grey[i + 1] - 4 * grey[i];
      sum += lap;
      sumSq += lap * lap;
      n += 1;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}
