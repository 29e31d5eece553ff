// Destroys a face region in place on raw interleaved pixels. The region is reduced to a few block
// averages (7 across its longer side) and then redrawn as a smooth bilinear blend of those
// averages. Only that coarse grid of colours survives: no identity can be recovered from it, yet
// the photo still reads as "a person here", and there are no block edges outlining the face.
// Pure JS on the decoded buffer: a few milliseconds a face.
import type { Box } from './types';

export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Blocks across the region's longer side. With regions ~1.6x a face, ~4 blocks span the face. */
export const BLOCKS_ACROSS = 7;

export function destroyRegion(img: RawPixels, rect: Box, blocksAcross = BLOCKS_ACROSS): void {
  const { width: w, height: h } = rect;
  if (w <= 0 || h <= 0) return;
  const long = Math.max(w, h);
  // Never more blocks than pixels: an empty block would blend black into a tiny region.
  const bw = Math.min(w, Math.max(1, Math.round((blocksAcross * w) / long)));
  const bh = Math.min(h, Math.max(1, Math.round((blocksAcross * h) / long)));
  const means = blockMeans(img, rect, bw, bh);
  redraw(img, rect, means, bw, bh);
}

/** Mean colour of each block, as [by][bx][channel] in one flat array. Each row is summed into
 *  its row of blocks; the counts follow from the column and row spans. */
function blockMeans(img: RawPixels, rect: Box, bw: number, bh: number): Float64Array {
  const { data, width, channels: c } = img;
  const sums = new Float64Array(bw * bh * c);
  const colStart = new Int32Array(bw + 1);
  for (let b = 0; b <= bw; b += 1) colStart[b] = Math.ceil((b * rect.width) / bw);
  const rowCount = new Float64Array(bh);
  for (let y = 0; y < rect.height; y += 1) {
    const by = Math.min(bh - 1, Math.floor((y * bh) / rect.height));
    rowCount[by] += 1;
    const rowStart = ((rect.y + y) * width + rect.x) * c;
    for (let bx = 0; bx < bw; bx += 1) {
      const start = rowStart + colStart[bx]! * c;
      const end = rowStart + colStart[bx + 1]! * c;
      const at = (by * bw + bx) * c;
      if (c === 3) {
        // The usual case, unrolled: one pass over the row's pixels.
        let r = 0, g = 0, b = 0;
        for (let i = start; i < end; i += 3) { r += data[i]!; g += data[i + 1]!; b += data[i + 2]!; }
        sums[at] += r; sums[at + 1] += g; sums[at + 2] += b;
      } else if (c === 1) {
        // A video frame's planes (frame-blur.ts).
        let v = 0;
        for (let i = start; i < end; i += 1) v += data[i]!;
        sums[at] += v;
      } else {
        for (let i = start; i < end; i += c) for (let k = 0; k < c; k += 1) sums[at + k] += data[i + k]!;
      }
    }
  }
  for (let by = 0; by < bh; by += 1) {
    for (let bx = 0; bx < bw; bx += 1) {
      const count = rowCount[by]! * (colStart[bx + 1]! - colStart[bx]!);
      for (let k = 0; k < c; k += 1) sums[(by * bw + bx) * c + k] /= count || 1;
    }
  }
  return sums;
}

/** Every pixel becomes the bilinear blend of the four nearest block centres: per row, the block
 *  colours are first blended vertically, then each pixel blends two of those horizontally. */
function redraw(img: RawPixels, rect: Box, means: Float64Array, bw: number, bh: number): void {
  const { data, width, channels: c } = img;
  // Horizontal neighbours and weight per column, computed once.
  const x0 = new Int32Array(rect.width);
  const x1 = new Int32Array(rect.width);
  const fx = new Float64Array(rect.width);
  for (let x = 0; x < rect.width; x += 1) {
    const gx = Math.min(bw - 1, Math.max(0, ((x + 0.5) * bw) / rect.width - 0.5));
    x0[x] = Math.floor(gx);
    x1[x] = Math.min(bw - 1, x0[x]! + 1);
    fx[x] = gx - x0[x]!;
  }
  const column = new Float64Array(bw * c);
  for (let y = 0; y < rect.height; y += 1) {
    const gy = Math.min(bh - 1, Math.max(0, ((y + 0.5) * bh) / rect.height - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(bh - 1, y0 + 1);
    const fy = gy - y0;
    for (let j = 0; j < bw * c; j += 1) {
      const top = means[y0 * bw * c + j]!;
      column[j] = top + (means[y1 * bw * c + j]! - top) * fy;
    }
    // Values are non-negative, so adding a half before the Uint8Array truncates rounds them.
    let i = ((rect.y + y) * width + rect.x) * c;
    if (c === 3) {
      for (let x = 0; x < rect.width; x += 1, i += 3) {
        const a = x0[x]! * 3;
        const b = x1[x]! * 3;
        const wx = fx[x]!;
        data[i] = column[a]! + (column[b]! - column[a]!) * wx + 0.5;
        data[i + 1] = column[a + 1]! + (column[b + 1]! - column[a + 1]!) * wx + 0.5;
        data[i + 2] = column[a + 2]! + (column[b + 2]! - column[a + 2]!) * wx + 0.5;
      }
    } else if (c === 1) {
      for (let x = 0; x < rect.width; x += 1, i += 1) {
        const a = x0[x]!;
        data[i] = column[a]! + (column[x1[x]!]! - column[a]!) * fx[x]! + 0.5;
      }
    } else {
      for (let x = 0; x < rect.width; x += 1, i += c) {
        const a = x0[x]! * c;
        const b = x1[x]! * c;
        for (let k = 0; k < c; k += 1) data[i + k] = column[a + k]! + (column[b + k]! - column[a + k]!) * fx[x]! + 0.5;
      }
    }
  }
}
