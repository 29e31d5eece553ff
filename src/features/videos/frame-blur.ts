// The photo pipeline's destruction (pixelate.ts, spotlight.ts) applied to one raw video frame in
// yuv420p, the encoder's own format: each plane is a one-channel image, the two chroma planes at
// half size. Regions are rounded outwards on the chroma planes so no coloured edge survives.
import { destroyRegion, type RawPixels } from '../faces/pixelate';
import { clipToImage } from '../faces/raw-image';
import { destroyOutside } from '../faces/spotlight';
import type { Box } from '../faces/types';

export interface FrameSize {
  width: number;
  height: number;
}

export const frameBytes = (s: FrameSize): number => s.width * s.height * 3 / 2;

function planes(frame: Uint8Array, s: FrameSize): Array<{ img: RawPixels; scale: number }> {
  const y = s.width * s.height;
  const c = (s.width / 2) * (s.height / 2);
  const plane = (offset: number, w: number, h: number): RawPixels => ({ data: frame.subarray(offset, offset + w * h), width: w, height: h, channels: 1 });
  return [
    { img: plane(0, s.width, s.height), scale: 1 },
    { img: plane(y, s.width / 2, s.height / 2), scale: 2 },
    { img: plane(y + c, s.width / 2, s.height / 2), scale: 2 },
  ];
}

const scaled = (b: Box, f: number): Box => {
  const x = Math.floor(b.x / f);
  const y = Math.floor(b.y / f);
  return { x, y, width: Math.ceil((b.x + b.width) / f) - x, height: Math.ceil((b.y + b.height) / f) - y };
};

/** How much larger than the two masks' union their merged box may be. */
const HULL_SLACK = 0.1;
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const area = (b: Box) => Math.max(0, b.width) * Math.max(0, b.height);
const hull = (a: Box, b: Box): Box => {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
};

/** Overlapping masks (one face's track held while its next track starts, a mask's lead and
 *  tail) merged into their enclosing box where that box adds at most 10% to the two masks'
 *  union, so the frame is not pixelated several times over where masks pile up (measured: 18
 *  masks a frame covering 2.5 frames' area on the 1080p bench clip). Every pixel of every mask is
 *  still destroyed (the box contains both); a merged box never reaches into a face left visible
 *  (`keep`: the own child, a consented pupil), and the slack keeps the background mostly sharp. */
export function mergeOverlapping(regions: readonly Box[], keep: readonly Box[] = []): Box[] {
  const out = regions.filter((r) => r.width > 0 && r.height > 0).map((r) => ({ ...r }));
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i += 1) {
      for (let j = i + 1; j < out.length; j += 1) {
        const a = out[i]!;
        const b = out[j]!;
        const h = hull(a, b);
        const ix = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
        const iy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
        const union = area(a) + area(b) - (ix > 0 && iy > 0 ? ix * iy : 0);
        if (area(h) <= union * (1 + HULL_SLACK) && !keep.some((k) => overlaps(h, k))) {
          out[i] = h;
          out.splice(j, 1);
          merged = true;
          break;
        }
      }
    }
  }
  return out;
}

/** Destroys `regions` in a yuv420p frame (in place; `visible`: faces shown in this frame, which
 *  merged masks keep clear of), then, with a spotlight, everything outside
 *  `keep` at block size `block` (the same order as the photos' safe copy). */
export function blurFrame(frame: Uint8Array, s: FrameSize, regions: Box[], spotlight?: { keep: Box[]; block: number }, visible: readonly Box[] = []): void {
  const masks = mergeOverlapping(regions, visible);
  for (const { img, scale } of planes(frame, s)) {
    for (const region of masks) {
      const rect = clipToImage(scaled(region, scale), img.width, img.height);
      if (rect) destroyRegion(img, rect);
    }
    if (spotlight) {
      // Kept regions shrink inwards on the chroma planes (never keep a pixel the luma destroyed).
      const keep = spotlight.keep.map((k) => {
        const x = Math.ceil(k.x / scale);
        const y = Math.ceil(k.y / scale);
        return { x, y, width: Math.max(0, Math.floor((k.x + k.width) / scale) - x), height: Math.max(0, Math.floor((k.y + k.height) / scale) - y) };
      }).filter((k) => k.width > 0 && k.height > 0);
      destroyOutside(img, keep, Math.max(1, Math.round(spotlight.block / scale)));
    }
  }
}
