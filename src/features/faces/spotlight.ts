// Spotlight ("only my child"): the safe copy keeps sharp only a generous head-and-shoulders
// region around each recognised own child and destroys everything else, at a block size no
// face in the photo survives. Whatever the detectors missed (a face too small, turned away,
// upside down) is outside the spotlight and so destroyed too: exposure 0 by construction, apart
// from what shares the child's own region (faces detected there are destroyed as usual).
// Pure geometry and pixels, no I/O.
import { destroyRegion, type RawPixels } from './pixelate';
import type { Box } from './types';

/** Head and shoulders around a face box: 3x its width, from 0.8 of its height above it to 2.5
 *  below its top (hair, ears, neck, shoulders), clipped to the image. */
export function spotlightRegion(face: Box, width: number, height: number): Box {
  const cx = face.x + face.width / 2;
  const left = Math.max(0, Math.floor(cx - face.width * 1.5));
  const right = Math.min(width, Math.ceil(cx + face.width * 1.5));
  const top = Math.max(0, Math.floor(face.y - face.height * 0.8));
  const bottom = Math.min(height, Math.ceil(face.y + face.height * 2.5));
  return { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/** Block side (pixels) for the background: a quarter of the largest face found, and never
 *  finer than 1/64 of the photo's longer side, so even a face the detectors missed that is
 *  four times the smallest block spans at most ~4 blocks (a few colours: no identity). */
export function spotlightBlock(largestFaceSide: number, width: number, height: number): number {
  return Math.max(8, Math.ceil(largestFaceSide / 4), Math.ceil(Math.max(width, height) / 64));
}

/** Rectangles covering exactly the image minus the union of `keep` (row bands of cells cut at
 *  every keep edge, neighbouring cells of a band merged). */
export function outsideRects(keep: readonly Box[], width: number, height: number): Box[] {
  const xs = [...new Set([0, width, ...keep.flatMap((k) => [k.x, k.x + k.width])])].filter((v) => v >= 0 && v <= width).sort((a, b) => a - b);
  const ys = [...new Set([0, height, ...keep.flatMap((k) => [k.y, k.y + k.height])])].filter((v) => v >= 0 && v <= height).sort((a, b) => a - b);
  const inKeep = (x: number, y: number) => keep.some((k) => x >= k.x && x < k.x + k.width && y >= k.y && y < k.y + k.height);
  const out: Box[] = [];
  for (let j = 0; j + 1 < ys.length; j += 1) {
    const cy = (ys[j]! + ys[j + 1]!) / 2;
    let start: number | null = null;
    for (let i = 0; i + 1 < xs.length; i += 1) {
      const outside = !inKeep((xs[i]! + xs[i + 1]!) / 2, cy);
      if (outside && start === null) start = xs[i]!;
      if (!outside && start !== null) {
        out.push({ x: start, y: ys[j]!, width: xs[i]! - start, height: ys[j + 1]! - ys[j]! });
        start = null;
      }
    }
    if (start !== null) out.push({ x: start, y: ys[j]!, width: width - start, height: ys[j + 1]! - ys[j]! });
  }
  return out.filter((r) => r.width > 0 && r.height > 0);
}

/** Destroys every pixel outside `keep` (in place): the whole photo is reduced to blocks of
 *  `block` pixels and redrawn smoothly, then the kept regions are put back. */
export function destroyOutside(img: RawPixels, keep: readonly Box[], block: number): void {
  const saved = keep.map((k) => ({ k, rows: copyRect(img, k) }));
  const long = Math.max(img.width, img.height);
  destroyRegion(img, { x: 0, y: 0, width: img.width, height: img.height }, Math.max(1, Math.round(long / block)));
  for (const { k, rows } of saved) pasteRect(img, k, rows);
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

function pasteRect(img: RawPixels, r: Box, rows: Uint8Array): void {
  const c = img.channels;
  for (let y = 0; y < r.height; y += 1) img.data.set(rows.subarray(y * r.width * c, (y + 1) * r.width * c), ((r.y + y) * img.width + r.x) * c);
}

export interface Spotlight {
  /** Kept sharp: head and shoulders of each own child. */
  keep: Box[];
  /** Background block side in pixels (spotlightBlock). */
  block: number;
  /** Everything destroyed by the spotlight, as rectangles (for the report). */
  outside: Box[];
}

/** The spotlight for a photo of `width` x `height` whose faces are `boxes`, of which `own`
 *  flags the recognised own children. */
export function spotlightFor(boxes: readonly Box[], own: readonly boolean[], width: number, height: number): Spotlight {
  const keep = boxes.filter((_, i) => own[i]).map((b) => spotlightRegion(b, width, height)).filter((r) => r.width > 0 && r.height > 0);
  const largest = boxes.reduce((m, b) => Math.max(m, b.width, b.height), 0);
  return { keep, block: spotlightBlock(largest, width, height), outside: outsideRects(keep, width, height) };
}
