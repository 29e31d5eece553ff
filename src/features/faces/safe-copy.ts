// The safe copy: the photo a parent may share. Original resolution, orientation baked in, every
// byte of metadata gone (EXIF with GPS and serial numbers, XMP, IPTC, ICC), and every region
// destroyed beyond recovery: pixelated to a few blocks, then blurred, so neither a viewer nor a
// deblurring tool nor a face recogniser can get the face back.
import sharp from 'sharp';
import { corrupt, inspectImage, orientedPipeline, type ImageLimits } from './image';
import { clipToImage } from './raw-image';
import type { Box } from './types';

/** Blocks across the region's longer side. With regions ~1.6x a face, ~4 blocks span the face
 *  itself: no identity survives that, yet the photo still reads as "a person here". */
const BLOCKS_ACROSS = 7;

export async function renderSafeCopy(buf: Buffer, regions: Box[], limits: ImageLimits = {}): Promise<Buffer> {
  const info = await inspectImage(buf, limits);
  // Decode once to raw sRGB so every patch is cut from the same oriented pixels as the output.
  const { data, info: raw } = await (await orientedPipeline(buf, info, limits))
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch(() => { throw corrupt(); });
  const rawInput = { raw: { width: raw.width, height: raw.height, channels: raw.channels } };
  const patches: sharp.OverlayOptions[] = [];
  for (const region of regions) {
    const rect = clipToImage(region, raw.width, raw.height);
    if (rect) patches.push({ input: await destroyedPatch(data, rawInput, rect), left: rect.x, top: rect.y });
  }
  // The metadata is dropped because sharp writes none unless asked (no withMetadata/keepMetadata).
  return sharp(data, rawInput)
    .composite(patches)
    .jpeg({ quality: 88, chromaSubsampling: '4:2:0' })
    .toBuffer();
}

async function destroyedPatch(data: Buffer, rawInput: sharp.SharpOptions, rect: Box): Promise<Buffer> {
  const { width, height } = rect;
  const long = Math.max(width, height);
  const blocksW = Math.max(1, Math.round((BLOCKS_ACROSS * width) / long));
  const blocksH = Math.max(1, Math.round((BLOCKS_ACROSS * height) / long));
  // Average into a few blocks (area-averaging, so no detail leaks through aliasing)...
  const blocks = await sharp(data, rawInput)
    .extract({ left: rect.x, top: rect.y, width, height })
    .resize(blocksW, blocksH, { kernel: 'lanczos3', fit: 'fill', fastShrinkOnLoad: false })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // ...blow them back up without interpolation, then blur away the block edges, which would
  // otherwise still outline the face. The blur adds no information back.
  const sigma = Math.max(2, long / (BLOCKS_ACROSS * 2));
  const grown = await sharp(blocks.data, { raw: { width: blocksW, height: blocksH, channels: blocks.info.channels } })
    .resize(width, height, { kernel: 'nearest', fit: 'fill' })
    .raw()
    .toBuffer();
  return sharp(grown, { raw: { width, height, channels: blocks.info.channels } }).blur(sigma).png({ compressionLevel: 0 }).toBuffer();
}
