// Image I/O with sharp (no tfjs): confirm the real type, refuse bombs and corrupt files, decode
// oriented pixels for detection, and render the safe copy. Every pixel coordinate in the engine
// refers to the ORIENTED image (EXIF rotation applied), so the boxes found are the boxes blurred.
import sharp from 'sharp';
import { unprocessable, unsupportedMediaType } from '../../platform/errors';
import { declaredHeicSize, decodeHeicOnce, isHeic } from './heic';
import type { RawImage } from './raw-image';
import type { ImageFormat } from './types';

/** The largest photo accepted: 200 megapixels covers the 48-200 MP modes of phone cameras.
 *  Such photos are reduced to COPY_MAX_SIDE while decoding (JPEG shrink-on-load), never held at
 *  full size; bigger declared sizes (decompression bombs) are refused from the header. */
export const DEFAULT_MAX_PIXELS = 200_000_000;

/** Longest side of what the detectors examine and of the safe copy: a 12 MP phone photo
 *  (4032 x 3024) passes whole; larger photos are reduced to this, copy included, so the copy
 *  never shows a pixel at a finer scale than the detectors saw it. */
export const COPY_MAX_SIDE = 4096;

/** A JPEG whose scan is mostly missing (a 291-byte file declaring 6000 x 6000 decodes to 36 MP
 *  of grey with only a warning) carries far fewer bytes than its pixels need. Measured: the
 *  flattest possible JPEG (solid grey, libjpeg defaults) has 0.0059 bytes per pixel, the lowest of
 *  202 real photos (phone photos up to 20 MP) 0.033, the median 0.17; 0.003 (11x under the
 *  lowest real photo) refuses files that cannot be whole, down to a 400 px square declared over
 *  data for 64 x 64. */
export const MIN_JPEG_BYTES_PER_PIXEL = 0.003;

export interface ImageLimits {
  maxPixels?: number;
}

/** The size a width x height photo is examined and copied at: reduced to fit COPY_MAX_SIDE. */
export function copySize(width: number, height: number, maxSide = COPY_MAX_SIDE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxSide) return { width, height };
  const f = maxSide / long;
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)) };
}

export interface ImageInfo {
  format: ImageFormat;
  /** Oriented size (EXIF orientations 5-8 swap width and height). */
  width: number;
  height: number;
}

const ACCEPTED = 'Send a JPEG, PNG, WebP or HEIC photo.';

/** The format from the file's own bytes: a browser's mimetype or a file name proves nothing,
 *  and sniffing first keeps SVG, TIFF, GIF and PDF away from libvips entirely. */
export function sniffFormat(buf: Buffer): ImageFormat | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47 && buf.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (isHeic(buf)) return 'heic';
  return null;
}

/** Confirms type and declared size from headers only: nothing is decoded, so a 50000 x 50000
 *  PNG of a few hundred bytes is refused without allocating its 7.5 GB of pixels. */
export async function inspectImage(buf: Buffer, limits: ImageLimits = {}): Promise<ImageInfo> {
  const format = sniffFormat(buf);
  if (!format) throw unsupportedMediaType(`This file is not a supported image. ${ACCEPTED}`);
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  const size = format === 'heic' ? declaredHeicSize(buf) : await sharpHeaderSize(buf);
  if (!size || size.width <= 0 || size.height <= 0) throw corrupt();
  if (format === 'jpeg' && buf.length < size.width * size.height * MIN_JPEG_BYTES_PER_PIXEL) throw corrupt();
  if (size.width * size.height > maxPixels) {
    const mp = Math.round((size.width * size.height) / 1e6);
    throw unprocessable('image_too_large', `This image is ${mp} megapixels; the limit is ${Math.round(maxPixels / 1e6)}.`);
  }
  return { format, ...size };
}

async function sharpHeaderSize(buf: Buffer): Promise<{ width: number; height: number } | null> {
  // limitInputPixels: false here because the limit is checked (with a clearer error) by the
  // caller; metadata() only reads headers.
  const meta = await sharp(buf, { limitInputPixels: false }).metadata().catch(() => null);
  if (!meta?.width || !meta.height) return null;
  const swap = (meta.orientation ?? 1) >= 5;
  return swap ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

export const corrupt = () =>
  unprocessable('corrupt_image', 'This image is damaged or incomplete and cannot be read. Try exporting it again.');

export interface DetectionInput {
  info: ImageInfo;
  /** Oriented RGB pixels, longest side at most maxSide. */
  image: RawImage;
  /** Detection-image pixels per safe-copy pixel (<= 1; 1 unless maxSide < COPY_MAX_SIDE). */
  scale: number;
}

/** Oriented RGB pixels for the detector, downscaled so the longest side is at most maxSide. */
export async function decodeForDetection(buf: Buffer, maxSide: number, limits: ImageLimits = {}): Promise<DetectionInput> {
  const info = await inspectImage(buf, limits);
  const size = copySize(info.width, info.height, Math.min(maxSide, COPY_MAX_SIDE));
  const pipeline = (await orientedPipeline(buf, info, limits))
    .resize({ ...size, fit: 'fill' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw();
  const { data, info: out } = await pipeline.toBuffer({ resolveWithObject: true }).catch(() => { throw corrupt(); });
  if (out.channels !== 3) throw corrupt();
  const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: out.width, height: out.height };
  return { info, image, scale: out.width / copySize(info.width, info.height).width };
}

/** A sharp pipeline positioned on the oriented, full-resolution image. failOn 'truncated' makes
 *  libvips reject a cut-off JPEG instead of padding it with grey (a half photo must not pass). */
export async function orientedPipeline(buf: Buffer, info: ImageInfo, limits: ImageLimits = {}): Promise<sharp.Sharp> {
  const limitInputPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (info.format !== 'heic') return sharp(buf, { failOn: 'truncated', limitInputPixels }).rotate();
  const rgba = await decodeHeicOnce(buf).catch(() => { throw corrupt(); });
  if (rgba.width * rgba.height > limitInputPixels) throw unprocessable('image_too_large', 'This image is too large.');
  info.width = rgba.width;
  info.height = rgba.height;
  return sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 }, limitInputPixels });
}
