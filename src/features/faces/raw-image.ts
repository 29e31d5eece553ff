// Raw, oriented RGB pixels: what the main thread hands to a worker and what workers crop from.
// Plain data (no tfjs, no sharp) so it crosses the worker boundary as a transferred ArrayBuffer.
import type { Box } from './types';

export interface RawImage {
  /** width * height * 3 bytes, RGB, row-major, top-left origin. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Integer pixel rectangle inside the image, or null when nothing of the box is inside.
 *  Floors the origin and ceils the far edge so the crop never loses a partial pixel of face. */
export function clipToImage(box: Box, width: number, height: number): Box | null {
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const right = Math.min(width, Math.ceil(box.x + box.width));
  const bottom = Math.min(height, Math.ceil(box.y + box.height));
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Copies a rectangle out of the buffer row by row. Doing this in JS is cheap; face-api's own
 *  crop copies the whole image tensor out of wasm memory for every face (see MEASURED.md). */
export function cropRgb(image: RawImage, rect: Box): RawImage {
  const { x, y, width, height } = rect;
  const out = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let row = 0; row < height; row += 1) {
    const from = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(from, from + rowBytes), row * rowBytes);
  }
  return { data: out, width, height };
}
