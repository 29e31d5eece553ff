// Destroys a face region in place on raw interleaved pixels: average into a few blocks, fill
// each block with its mean, then box-blur the region so block edges do not outline the face.
// Pure JS on the decoded buffer: a few milliseconds a face, where one sharp round trip per
// patch (extract, resize, grow, blur, PNG, composite) cost tens.
import type { Box } from './types';

export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Blocks across the region's longer side. With regions ~1.6x a face, ~4 blocks span the face
 *  itself: no identity survives that, yet the photo still reads as "a person here". */
export const BLOCKS_ACROSS = 7;

export function destroyRegion(img: RawPixels, rect: Box, blocksAcross = BLOCKS_ACROSS): void {
  const { width: w, height: h } = rect;
  if (w <= 0 || h <= 0) return;
  const long = Math.max(w, h);
  const blocksW = Math.max(1, Math.round((blocksAcross * w) / long));
  const blocksH = Math.max(1, Math.round((blocksAcross * h) / long));
  for (let by = 0; by < blocksH; by += 1) {
    const y0 = rect.y + Math.floor((by * h) / blocksH);
    const y1 = rect.y + Math.floor(((by + 1) * h) / blocksH);
    for (let bx = 0; bx < blocksW; bx += 1) {
      const x0 = rect.x + Math.floor((bx * w) / blocksW);
      const x1 = rect.x + Math.floor(((bx + 1) * w) / blocksW);
      fillWithMean(img, x0, y0, x1, y1);
    }
  }
  // Three box blurs approximate a Gaussian; the radius spans about half a block.
  const radius = Math.max(2, Math.round(long / (blocksAcross * 2)));
  for (let pass = 0; pass < 3; pass += 1) {
    boxBlur(img, rect, radius, true);
    boxBlur(img, rect, radius, false);
  }
}

function fillWithMean(img: RawPixels, x0: number, y0: number, x1: number, y1: number): void {
  const { data, width, channels: c } = img;
  const sums = new Float64Array(c);
  for (let y = y0; y < y1; y += 1) {
    for (let i = (y * width + x0) * c, end = (y * width + x1) * c; i < end; i += c) {
      for (let k = 0; k < c; k += 1) sums[k] += data[i + k];
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  if (n === 0) return;
  const mean = Array.from(sums, (s) => Math.round(s / n));
  for (let y = y0; y < y1; y += 1) {
    for (let i = (y * width + x0) * c, end = (y * width + x1) * c; i < end; i += c) {
      for (let k = 0; k < c; k += 1) data[i + k] = mean[k]!;
    }
  }
}

/** One box-blur pass along rows (horizontal) or columns, using only pixels inside the rect. */
function boxBlur(img: RawPixels, rect: Box, radius: number, horizontal: boolean): void {
  const { data, width, channels: c } = img;
  const lines = horizontal ? rect.height : rect.width;
  const len = horizontal ? rect.width : rect.height;
  const line = new Float64Array(len * c);
  for (let l = 0; l < lines; l += 1) {
    const index = (p: number) =>
      horizontal ? ((rect.y + l) * width + rect.x + p) * c : ((rect.y + p) * width + rect.x + l) * c;
    for (let p = 0; p < len; p += 1) for (let k = 0; k < c; k += 1) line[p * c + k] = data[index(p) + k]!;
    for (let k = 0; k < c; k += 1) {
      // Running sum over a window clamped to the line's ends.
      let sum = 0;
      let count = 0;
      for (let p = 0; p <= Math.min(radius, len - 1); p += 1) {
        sum += line[p * c + k]!;
        count += 1;
      }
      for (let p = 0; p < len; p += 1) {
        data[index(p) + k] = Math.round(sum / count);
        const add = p + radius + 1;
        const drop = p - radius;
        if (add < len) { sum += line[add * c + k]!; count += 1; }
        if (drop >= 0) { sum -= line[drop * c + k]!; count -= 1; }
      }
    }
  }
}
