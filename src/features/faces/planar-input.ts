// Network input for the ONNX detectors: RetinaFace wants planar RGB, YuNet planar BGR (as
// OpenCV reads it), both as raw 0-255 floats, resampled bilinearly and zero-padded to a size
// the network's strides divide. One resampler serves both; only the channel order differs.
// Written as flat loops over typed arrays with the channel loop unrolled: at 12 MP this runs on
// ~25 MP of network input per photo, so every nanosecond a pixel counts (docs/performance.md).
import type { RawImage } from './raw-image';
import type { Box } from './types';

export type ChannelOrder = 'rgb' | 'bgr';

/** `area` of the RGB image -> planar float32 in `order`, resampled bilinearly to
 *  width x height and zero-padded to inW x inH. */
export function toPlanar(image: RawImage, area: Box, width: number, height: number, inW: number, inH: number, order: ChannelOrder): Float32Array {
  const out = new Float32Array(3 * inW * inH);
  const plane = inW * inH;
  // The output plane of source channel 0 (R) and 2 (B); G is always the middle plane.
  const outR = out.subarray(order === 'rgb' ? 0 : 2 * plane);
  const outG = out.subarray(plane);
  const outB = out.subarray(order === 'rgb' ? 2 * plane : 0);
  const src = image.data;
  const sw = image.width;
  const fx = area.width / width;
  const fy = area.height / height;
  if (fx === 1 && fy === 1) {
    for (let y = 0; y < height; y += 1) {
      let s = ((area.y + y) * sw + area.x) * 3;
      const o = y * inW;
      const end = o + width;
      for (let i = o; i < end; i += 1, s += 3) {
        outR[i] = src[s]!;
        outG[i] = src[s + 1]!;
        outB[i] = src[s + 2]!;
      }
    }
    return out;
  }
  const maxX = area.x + area.width - 1;
  const maxY = area.y + area.height - 1;
  const xa = new Int32Array(width);
  const xb = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let x = 0; x < width; x += 1) {
    const sx = Math.min(maxX, Math.max(area.x, area.x + (x + 0.5) * fx - 0.5));
    const x0 = Math.floor(sx);
    xa[x] = x0 * 3;
    xb[x] = Math.min(maxX, x0 + 1) * 3;
    wxs[x] = sx - x0;
  }
  for (let y = 0; y < height; y += 1) {
    const sy = Math.min(maxY, Math.max(area.y, area.y + (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(maxY, y0 + 1);
    const wy = sy - y0;
    const r0 = y0 * sw * 3;
    const r1 = y1 * sw * 3;
    let o = y * inW;
    for (let x = 0; x < width; x += 1, o += 1) {
      const a0 = r0 + xa[x]!;
      const b0 = r0 + xb[x]!;
      const a1 = r1 + xa[x]!;
      const b1 = r1 + xb[x]!;
      const wx = wxs[x]!;
      let top = src[a0]! + (src[b0]! - src[a0]!) * wx;
      let bottom = src[a1]! + (src[b1]! - src[a1]!) * wx;
      outR[o] = top + (bottom - top) * wy;
      top = src[a0 + 1]! + (src[b0 + 1]! - src[a0 + 1]!) * wx;
      bottom = src[a1 + 1]! + (src[b1 + 1]! - src[a1 + 1]!) * wx;
      outG[o] = top + (bottom - top) * wy;
      top = src[a0 + 2]! + (src[b0 + 2]! - src[a0 + 2]!) * wx;
      bottom = src[a1 + 2]! + (src[b1 + 2]! - src[a1 + 2]!) * wx;
      outB[o] = top + (bottom - top) * wy;
    }
  }
  return out;
}
