import sharp from 'sharp';
import { decodeForDetection, inspectImage, sniffFormat } from '../../src/features/faces/image';
import { renderSafeCopy } from '../../src/features/faces/safe-copy';
import { jpegDeclaring, jpegWithPrivateMetadata, pngDeclaring, rotatedWithExif6, sample } from './helpers/images';

const rejection = (code: string, status: number) => expect.objectContaining({ code, status });

describe('inspectImage', () => {
  test.each([
    ['a text file', Buffer.from('hello, this is not a photo\n')],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
    ['an empty file', Buffer.alloc(0)],
  ])('when it is %s, then it is refused with 415', async (_name, buf) => {
    await expect(inspectImage(buf)).rejects.toEqual(rejection('unsupported_media_type', 415));
  });

  test('when it is a GIF, then it is refused with 415 even though sharp could read it', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).gif().toBuffer();
    await expect(inspectImage(gif)).rejects.toEqual(rejection('unsupported_media_type', 415));
  });

  test('when a PNG header declares 50000 x 50000, then it is refused as too large without decoding', async () => {
    const before = process.memoryUsage().rss;
    await expect(inspectImage(pngDeclaring(50_000, 50_000))).rejects.toEqual(rejection('image_too_large', 422));
    await expect(decodeForDetection(pngDeclaring(50_000, 50_000), 1920)).rejects.toEqual(rejection('image_too_large', 422));
    // 7.5 GB of pixels were declared; nothing like it may have been allocated.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  test('when the limit is lowered, then a 1920 px photo is too large', async () => {
    await expect(inspectImage(sample(1), { maxPixels: 1_000_000 })).rejects.toEqual(rejection('image_too_large', 422));
  });

  test('when the bytes start like a JPEG but are garbage, then it is a corrupt image (422)', async () => {
    await expect(inspectImage(Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]))).rejects.toEqual(rejection('corrupt_image', 422));
  });

  test('when the photo has EXIF orientation 6, then the reported size is the oriented one', async () => {
    const info = await inspectImage(await rotatedWithExif6(sample(1)));
    expect(info).toEqual({ format: 'jpeg', width: 1920, height: 1280 });
  });

  test.each([
    ['png', (s: sharp.Sharp) => s.png()],
    ['webp', (s: sharp.Sharp) => s.webp()],
    ['jpeg', (s: sharp.Sharp) => s.jpeg()],
  ] as const)('when it is a real %s, then the format is recognised from its bytes', async (format, encode) => {
    const buf = await encode(sharp({ create: { width: 8, height: 6, channels: 3, background: '#abc' } })).toBuffer();
    expect(sniffFormat(buf)).toBe(format);
    await expect(inspectImage(buf)).resolves.toEqual({ format, width: 8, height: 6 });
  });

  test('when it is an AVIF (HEIF container, AV1), then it is refused with 415', async () => {
    const avif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#abc' } }).avif().toBuffer();
    await expect(inspectImage(avif)).rejects.toEqual(rejection('unsupported_media_type', 415));
  });

  test('when it claims to be HEIC but is broken, then decoding reports a corrupt image', async () => {
    const ispe = Buffer.alloc(12);
    ispe.writeUInt32BE(100, 4);
    ispe.writeUInt32BE(80, 8);
    const fakeHeic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.from('ispe'), ispe, Buffer.alloc(64, 7)]);
    expect(sniffFormat(fakeHeic)).toBe('heic');
    await expect(inspectImage(fakeHeic)).resolves.toEqual({ format: 'heic', width: 100, height: 80 });
    await expect(decodeForDetection(fakeHeic, 1920)).rejects.toEqual(rejection('corrupt_image', 422));
  });
});

describe('JPEG with a mostly-missing scan', () => {
  test.each([6000, 1000, 400])('when a %i px square is declared over data for 64 x 64, then it is refused as corrupt', async (side) => {
    const bomb = await jpegDeclaring(side);
    expect(bomb.length).toBeLessThan(400);
    await expect(inspectImage(bomb)).rejects.toEqual(rejection('corrupt_image', 422));
    await expect(decodeForDetection(bomb, 1920)).rejects.toEqual(rejection('corrupt_image', 422));
  });

  test('when a JPEG is whole, even a flat grey one or the face-api samples, then it passes the check', async () => {
    const flat = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    await expect(inspectImage(flat)).resolves.toEqual({ format: 'jpeg', width: 4000, height: 3000 });
    for (const n of [1, 2, 3, 4, 5, 6]) await expect(inspectImage(sample(n))).resolves.toEqual(expect.objectContaining({ format: 'jpeg' }));
  });
});

describe('truncated JPEG', () => {
  const truncated = () => {
    const whole = sample(1);
    return whole.subarray(0, Math.floor(whole.length * 0.6));
  };

  test('when a JPEG is cut short, then decoding for detection fails with corrupt_image', async () => {
    await expect(decodeForDetection(truncated(), 1920)).rejects.toEqual(rejection('corrupt_image', 422));
  });

  test('when a JPEG is cut short, then no safe copy is rendered', async () => {
    await expect(renderSafeCopy(truncated(), [])).rejects.toEqual(rejection('corrupt_image', 422));
  });
});

describe('decodeForDetection', () => {
  test('when the photo is larger than maxSide, then it is scaled to fit and the scale is reported', async () => {
    const { image, info, scale } = await decodeForDetection(sample(1), 960);
    expect([image.width, image.height]).toEqual([960, 640]);
    expect(image.data.length).toBe(960 * 640 * 3);
    expect(info).toEqual({ format: 'jpeg', width: 1920, height: 1280 });
    expect(scale).toBeCloseTo(0.5);
  });

  test('when the photo has EXIF orientation 6, then the pixels come out upright', async () => {
    const upright = await decodeForDetection(sample(1), 480);
    const tagged = await decodeForDetection(await rotatedWithExif6(sample(1)), 480);
    expect([tagged.image.width, tagged.image.height]).toEqual([upright.image.width, upright.image.height]);
    let diff = 0;
    for (let i = 0; i < upright.image.data.length; i += 1) diff += Math.abs(upright.image.data[i] - tagged.image.data[i]);
    expect(diff / upright.image.data.length).toBeLessThan(6); // only JPEG re-encoding noise
  });
});

describe('renderSafeCopy', () => {
  test('when rendered, then EXIF, GPS, XMP, ICC and orientation are gone and the size is the oriented original', async () => {
    const input = await jpegWithPrivateMetadata(await rotatedWithExif6(sample(2)));
    const before = await sharp(input).metadata();
    expect(before.exif && before.xmp && before.icc).toBeTruthy();
    const out = await renderSafeCopy(input, [{ x: 10, y: 10, width: 100, height: 100 }]);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([1920, 1367]);
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(out.includes(Buffer.from('A Parent'))).toBe(false);
  });

  test('when a region is rendered, then its detail is destroyed and the rest of the photo is kept', async () => {
    const region = { x: 400, y: 340, width: 240, height: 300 };
    const out = await renderSafeCopy(sample(1), [region]);
    const highFrequency = async (buf: Buffer, r: typeof region) => {
      // High-frequency energy: the image minus a blurred copy of itself.
      const crop = sharp(buf).extract({ left: r.x + 20, top: r.y + 20, width: r.width - 40, height: r.height - 40 }).greyscale();
      const sharpPx = await crop.clone().raw().toBuffer();
      const soft = await crop.clone().blur(2).raw().toBuffer();
      let sum = 0;
      for (let i = 0; i < sharpPx.length; i += 1) sum += Math.abs(sharpPx[i] - soft[i]);
      return sum / sharpPx.length;
    };
    expect(await highFrequency(out, region)).toBeLessThan((await highFrequency(sample(1), region)) * 0.15);
    const elsewhere = { x: 1000, y: 800, width: 200, height: 200 };
    expect(await highFrequency(out, elsewhere)).toBeGreaterThan((await highFrequency(sample(1), elsewhere)) * 0.6);
  });
});
