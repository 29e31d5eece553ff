// Test images: the face-api demo photos (they ship in the npm package) and images made here.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export const sampleDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
export const sample = (n: number): Buffer => fs.readFileSync(path.join(sampleDir, `sample${n}.jpg`));

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A few hundred bytes whose header claims width x height RGB pixels. */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const idat = require('node:zlib').deflateSync(Buffer.alloc(64)) as Buffer;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** The photo rotated 90 degrees anticlockwise in its pixels, tagged with EXIF orientation 6
 *  ("rotate 90 clockwise to display"): displayed, it looks exactly like the original. */
export async function rotatedWithExif6(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
}

/** A JPEG that carries EXIF with GPS, XMP and an ICC profile. */
export async function jpegWithPrivateMetadata(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg)
    .withExif({ IFD0: { Artist: 'A Parent', Copyright: 'x' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
    .withIccProfile('p3')
    .jpeg()
    .toBuffer();
}

/** A whole, valid 64 x 64 JPEG (a few hundred bytes) whose frame header is rewritten to declare
 *  `side` x `side`: libjpeg decodes it as a full-size grey image with only a warning. */
export async function jpegDeclaring(side: number): Promise<Buffer> {
  const b = Buffer.from(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg({ quality: 50 }).toBuffer());
  for (let i = 2; i + 9 < b.length; i += 2 + b.readUInt16BE(i + 2)) {
    const marker = b[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      b.writeUInt16BE(side, i + 5);
      b.writeUInt16BE(side, i + 7);
      return b;
    }
  }
  throw new Error('no frame header');
}
