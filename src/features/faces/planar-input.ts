// Network input for the ONNX detectors: RetinaFace wants planar RGB, YuNet planar BGR (as
// OpenCV reads it), both as raw 0-255 floats, resampled bilinearly and zero-padded to a size
// the network's strides divide. One resampler serves both; only the channel order differs.
import type { RawImage } from './raw-image';
import type { Box } from './types';

export type ChannelOrder = 'rgb' | 'bgr';

/** `area` of the RGB image -> planar float32 in `order`, resampled bilinearly to
 *  width x height and zero-padded to inW x inH. */
export function toPlanar(image: RawImage, area: Box, width: number, height: number, inW: number, inH: number, order: ChannelOrder): Float32Array {
  const out = new Float32Array(3 * inW * inH);
  const plane = inW * inH;
  // Where source channel 0, 1, 2 (R, G, B) goes in the output.
  const [p0, p1, p2] = order === 'rgb' ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
  const src = image.data;
  const sw = image.width;
  const fx = area.width / width;
  const fy = area.height / height;
  if (fx === 1 && fy === 1) {
    for (let y = 0; y < height; y += 1) {
      let s = ((area.y + y) * sw + area.x) * 3;
      let o = y * inW;
      for (let x = 0; x < width; x += 1, s += 3, o += 1) {
        out[o + p0] = src[s]!;
        out[o + p1] = src[s + 1]!;
        out[o + p2] = src[s + 2]!;
      }
    }
    return out;
  }
  const maxX = area.x + area.width - 1;
  const maxY = area.y + area.height - 1;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let x = 0; x < width; x += 1) {
    const sx = Math.min(maxX, Math.max(area.x, area.x + (x + 0.5) * fx - 0.5));
    x0s[x] = Math.floor(sx);
    x1s[x] = Math.min(maxX, x0s[x]! + 1);
    wxs[x] = sx - x0s[x]!;
  }
  const dest = [p0, p1, p2];
  for (let y = 0; y < height; y += 1) {
    const sy = Math.min(maxY, Math.max(area.y, area.y + (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(maxY, y0 + 1);
    const wy = sy - y0;
    const r0 = y0 * sw * 3;
    const r1 = y1 * sw * 3;
    let o = y * inW;
    for (let x = 0; x < width; x += 1, o += 1) {
      const a = x0s[x]! * 3;
      const b = x1s[x]! * 3;
      const wx = wxs[x]!;
      for (let c = 0; c < 3; c += 1) {
        const top = src[r0 + a + c]! + (src[r0 + b + c]! - src[r0 + a + c]!) * wx;
        const bottom = src[r1 + a + c]! + (src[r1 + b + c]! - src[r1 + a + c]!) * wx;
        out[o + dest[c]!] = top + (bottom - top) * wy;
      }
    }
  }
  return out;
}
