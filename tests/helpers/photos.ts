import path from 'node:path';
import fs from 'node:fs';
import sharp from 'sharp';
import { iou } from '../../src/features/faces';
import type { Box } from '../../src/features/faces/types';

// Test photos: the sample photos that ship inside @vladmandic/face-api, and images made from them.
const DEMO = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export const samplePath = (n: number): string => path.join(DEMO, `sample${n}.jpg`);
export const sample = (n: number): Buffer => fs.readFileSync(samplePath(n));

/** A one-face reference photo: the face with a generous margin, as an office would crop it. */
export async function cropFace(photo: Buffer, box: Box, margin = 0.6): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const left = Math.max(0, Math.round(box.x - box.width * margin));
  const top = Math.max(0, Math.round(box.y - box.height * margin));
  const right = Math.min(meta.width!, Math.round(box.x + box.width * (1 + margin)));
  const bottom = Math.min(meta.height!, Math.round(box.y + box.height * (1 + margin)));
  return sharp(photo).extract({ left, top, width: right - left, height: bottom - top }).jpeg({ quality: 92 }).toBuffer();
}

/** Index of the box in `boxes` that best overlaps `box` (IoU >= 0.3), or -1. */
export function findBox(boxes: Box[], box: Box): number {
  let best = -1;
  let bestIou = 0.3;
  boxes.forEach((b, i) => {
    const v = iou(b, box);
    if (v > bestIou) {
      best = i;
      bestIou = v;
    }
  });
  return best;
}

/**
 * "Another photo of the same scene", as a phone would deliver it: mirrored, smaller, brighter,
 * re-encoded, stored sideways with an EXIF orientation tag, and carrying camera and location
 * metadata that the safe copy must remove. Returns the photo and a mapper from boxes in the
 * original sample to boxes in the displayed (oriented) photo.
 */
export async function phonePhoto(original: Buffer): Promise<{ photo: Buffer; width: number; height: number; mapBox: (b: Box) => Box }> {
  const meta = await sharp(original).metadata();
  const width = 1600;
  const scale = width / meta.width!;
  const height = Math.round(meta.height! * scale);
  const displayed = await sharp(original).flop().resize(width, height).modulate({ brightness: 1.08 }).toBuffer();
  // Stored rotated 90 degrees anticlockwise with orientation 6 ("rotate 90 clockwise to display").
  const photo = await sharp(displayed)
    .rotate(270)
    .withExif({
      IFD0: { Make: 'Apple', Model: 'iPhone 15', Artist: 'A Parent' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="A Parent"/></rdf:RDF></x:xmpmeta>')
    .jpeg({ quality: 88 })
    .toBuffer();
  const mapBox = (b: Box): Box => ({ x: width - (b.x + b.width) * scale, y: b.y * scale, width: b.width * scale, height: b.height * scale });
  return { photo, width, height, mapBox };
}
