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

/** Destroys `regions` in a yuv420p frame (in place), then, with a spotlight, everything outside
 *  `keep` at block size `block` (the same order as the photos' safe copy). */
export function blurFrame(frame: Uint8Array, s: FrameSize, regions: Box[], spotlight?: { keep: Box[]; block: number }): void {
  for (const { img, scale } of planes(frame, s)) {
    for (const region of regions) {
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
