// Masks a parent adds on review ("blur more, never less"): rectangles or ellipses drawn over
// anything the checker missed (a face, a name badge, a house number, a number plate), applied by
// the server to the stored safe copy. Every style first destroys the region as a face region is
// destroyed (pixelate.ts), so even a sticker with transparent parts never leaves detail behind.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { srcDir } from '../../platform/paths';
import { corrupt } from './image';
import { destroyRegion, type RawPixels } from './pixelate';
import { clipToImage } from './raw-image';
import type { Box } from './types';

export type MaskShape = 'rect' | 'ellipse';
export type MaskStyle = 'pixelate' | 'solid' | 'sticker';

export interface Mask extends Box {
  shape: MaskShape;
}

/** The shipped sticker (an emoji-style smiling face, drawn for ShareSafe: no licence to track). */
export const STICKER_PATH = path.join(srcDir, 'features', 'faces', 'assets', 'sticker-smile.svg');
const SOLID = [64, 64, 72] as const;

/** Applies every mask to `pixels` in place. */
export async function applyMasks(pixels: RawPixels, masks: Mask[], style: MaskStyle): Promise<void> {
  for (const mask of masks) {
    const rect = clipToImage(mask, pixels.width, pixels.height);
    if (!rect) continue;
    const inside = mask.shape === 'ellipse' ? ellipseTest(rect) : () => true;
    // Destroyed first whatever the style: the outer pixels of an ellipse keep the photo, the rest goes.
    const before = mask.shape === 'ellipse' ? copyRect(pixels, rect) : null;
    destroyRegion(pixels, rect);
    if (style === 'solid') fill(pixels, rect, inside);
    if (style === 'sticker') await drawSticker(pixels, rect, inside);
    if (before) restoreOutside(pixels, rect, before, inside);
  }
}

/** Decodes a stored safe copy (a JPEG ShareSafe wrote) to raw RGB. */
export async function decodeSafeCopy(jpeg: Buffer): Promise<RawPixels> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true }).catch(() => { throw corrupt(); });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

function ellipseTest(r: Box): (x: number, y: number) => boolean {
  const rx = r.width / 2;
  const ry = r.height / 2;
  return (x, y) => {
    const dx = (x + 0.5 - rx) / rx;
    const dy = (y + 0.5 - ry) / ry;
    return dx * dx + dy * dy <= 1;
  };
}

function copyRect(img: RawPixels, r: Box): Uint8Array {
  const c = img.channels;
  const out = new Uint8Array(r.width * r.height * c);
  for (let y = 0; y < r.height; y += 1) {
    const from = ((r.y + y) * img.width + r.x) * c;
    out.set(img.data.subarray(from, from + r.width * c), y * r.width * c);
  }
  return out;
}

function restoreOutside(img: RawPixels, r: Box, before: Uint8Array, inside: (x: number, y: number) => boolean): void {
  const c = img.channels;
  for (let y = 0; y < r.height; y += 1) {
    for (let x = 0; x < r.width; x += 1) {
      if (inside(x, y)) continue;
      const at = ((r.y + y) * img.width + r.x + x) * c;
      for (let k = 0; k < c; k += 1) img.data[at + k] = before[(y * r.width + x) * c + k]!;
    }
  }
}

function fill(img: RawPixels, r: Box, inside: (x: number, y: number) => boolean): void {
  const c = img.channels;
  for (let y = 0; y < r.height; y += 1) {
    for (let x = 0; x < r.width; x += 1) {
      if (!inside(x, y)) continue;
      const at = ((r.y + y) * img.width + r.x + x) * c;
      for (let k = 0; k < Math.min(c, 3); k += 1) img.data[at + k] = SOLID[k]!;
    }
  }
}

let stickerSvg: Buffer | null = null;

/** The sticker, scaled to fit the region, alpha-blended over the destroyed pixels. */
async function drawSticker(img: RawPixels, r: Box, inside: (x: number, y: number) => boolean): Promise<void> {
  stickerSvg ??= fs.readFileSync(STICKER_PATH);
  const side = Math.max(1, Math.min(r.width, r.height));
  const { data } = await sharp(stickerSvg, { density: 72 * Math.max(1, side / 64) })
    .resize(r.width, r.height, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const c = img.channels;
  for (let y = 0; y < r.height; y += 1) {
    for (let x = 0; x < r.width; x += 1) {
      if (!inside(x, y)) continue;
      const s = (y * r.width + x) * 4;
      const a = data[s + 3]! / 255;
      if (a === 0) continue;
      const at = ((r.y + y) * img.width + r.x + x) * c;
      for (let k = 0; k < Math.min(c, 3); k += 1) img.data[at + k] = img.data[at + k]! * (1 - a) + data[s + k]! * a + 0.5;
    }
  }
}
