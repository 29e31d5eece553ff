// The safe copy: the photo a parent may share. Original resolution up to COPY_MAX_SIDE (larger
// photos are reduced to it, as the detectors saw them), orientation baked in, every
// byte of metadata gone (EXIF with GPS and serial numbers, XMP, IPTC, ICC), and every region
// destroyed beyond recovery: pixelated to a few blocks, then blurred, so neither a viewer nor a
// deblurring tool nor a face recogniser can get the face back.
import sharp from 'sharp';
import { copySize, corrupt, inspectImage, orientedPipeline, type ImageInfo, type ImageLimits } from './image';
import { destroyRegion, type RawPixels } from './pixelate';
import { clipToImage } from './raw-image';
import { destroyOutside, type Spotlight } from './spotlight';
import type { Box } from './types';

/** A safe-copy decode of an upload, offered to the face engine of the same check: the copy and
 *  the detectors need the same oriented sRGB pixels at the same size, so a 12 MP photo is
 *  decoded once instead of twice (~150 ms of a core, docs/performance.md). The engine takes the
 *  offer (takeSharedDecode) when it is called right after decodeForSafeCopy, as a check does;
 *  an offer nobody takes is dropped as soon as its decode settles, so nothing is held. */
export interface SharedDecode {
  info: ImageInfo;
  pixels: RawPixels;
}

const offered = new WeakMap<Buffer, Promise<SharedDecode>>();

/** The pending safe-copy decode of this upload, if one was offered and not yet taken; taking it
 *  removes the offer (one taker). */
export function takeSharedDecode(buf: Buffer): Promise<SharedDecode> | undefined {
  const pending = offered.get(buf);
  offered.delete(buf);
  return pending;
}

/** Oriented sRGB pixels at the examined size (copySize). Callers may start this while detection
 *  runs: it uses libuv's threads, not the HTTP thread or the inference worker. The face engine
 *  called next on the same Buffer detects on these pixels instead of decoding again (its worker
 *  gets a copy in the message; these stay here, unchanged, for the copy). */
export async function decodeForSafeCopy(buf: Buffer, limits: ImageLimits = {}): Promise<RawPixels> {
  const pending = decodeShared(buf, limits);
  offered.set(buf, pending);
  const drop = () => setImmediate(() => { if (offered.get(buf) === pending) offered.delete(buf); });
  pending.then(drop, drop);
  return (await pending).pixels;
}

async function decodeShared(buf: Buffer, limits: ImageLimits): Promise<SharedDecode> {
  const info = await inspectImage(buf, limits);
  const size = copySize(info.width, info.height);
  const pipeline = await orientedPipeline(buf, info, limits);
  const { data, info: raw } = await (size.width === info.width && size.height === info.height ? pipeline : pipeline.resize({ ...size, fit: 'fill' }))
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch(() => { throw corrupt(); });
  return { info, pixels: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: raw.width, height: raw.height, channels: raw.channels } };
}

/** Destroys the regions in `pixels` (in place), then, with a spotlight, everything outside its
 *  kept regions (spotlight.ts), and encodes a metadata-free JPEG. */
export async function encodeSafeCopy(pixels: RawPixels, regions: Box[], spotlight?: Pick<Spotlight, 'keep' | 'block'>): Promise<Buffer> {
  for (const region of regions) {
    const rect = clipToImage(region, pixels.width, pixels.height);
    if (rect) destroyRegion(pixels, rect);
  }
  // After the faces: a neighbour's face inside the child's region stays destroyed, and the
  // background pass smooths away the edges of the face regions outside it.
  if (spotlight) destroyOutside(pixels, spotlight.keep, spotlight.block);
  // No metadata is written because sharp writes none unless asked (no withMetadata/keepMetadata).
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels as 3 } })
    // optimiseCoding off: the two-pass Huffman optimisation makes the file ~5% smaller but the
    // encode ~3x slower (12 MP: 111 ms -> 37 ms, docs/performance.md).
    .jpeg({ quality: 88, chromaSubsampling: '4:2:0', optimiseCoding: false })
    .toBuffer();
}

export async function renderSafeCopy(buf: Buffer, regions: Box[], limits: ImageLimits = {}): Promise<Buffer> {
  return encodeSafeCopy((await decodeShared(buf, limits)).pixels, regions);
}
