// One decode per photo: a check decodes the upload for its safe copy and the engine called next
// on the same Buffer detects on those pixels (its worker gets a copy) instead of decoding again.
// The faces found must be exactly those of the engine's own decode, and the copy's pixels must
// still be the photo, whole and untouched.
import sharp from 'sharp';
import * as image from '../../src/features/faces/image';
import { createFaceEngine } from '../../src/features/faces/engine';
import { decodeForSafeCopy, takeSharedDecode } from '../../src/features/faces/safe-copy';
import type { Analysis, FaceEngine } from '../../src/features/faces/types';
import { rotatedWithExif6, sample } from './helpers/images';

let engine: FaceEngine;

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  jest.restoreAllMocks();
});

const comparable = (a: Analysis) => ({
  width: a.width, height: a.height, format: a.format,
  faces: a.faces.map((f) => ({ box: f.box, score: f.score, blurRegion: f.blurRegion, descriptor: f.descriptor ? Array.from(f.descriptor) : null })),
});

describe('decode shared between the safe copy and detection', () => {
  test.each([
    ['sample 1 (1920 px JPEG)', async () => sample(1)],
    ['sample 5 stored sideways with EXIF orientation 6', async () => rotatedWithExif6(sample(5))],
    ['sample 2 as a PNG', async () => sharp(sample(2)).png().toBuffer()],
  ])('when a check decodes %s for its copy and then analyses it, then the engine does not decode again and finds exactly what its own decode finds', async (_, make) => {
    const photo = await make();
    const ownDecode = jest.spyOn(image, 'decodeForDetection');
    const pixels = decodeForSafeCopy(photo);
    const shared = await engine.analyse(photo);
    expect(ownDecode).not.toHaveBeenCalled();
    // The same bytes in another Buffer: nothing offered, so the engine decodes them itself.
    const own = await engine.analyse(Buffer.from(photo));
    expect(ownDecode).toHaveBeenCalledTimes(1);
    ownDecode.mockRestore();
    expect(comparable(shared)).toEqual(comparable(own));
    expect(shared.faces.length).toBeGreaterThan(0);
    // The copy's pixels are still whole and unchanged: the copy is made from the photo itself.
    const copy = await pixels;
    const fresh = await decodeForSafeCopy(Buffer.from(photo));
    expect(copy.width).toBe(shared.width);
    expect(copy.height).toBe(shared.height);
    expect(copy.data.byteLength).toBe(copy.width * copy.height * 3);
    expect(Buffer.from(copy.data).equals(Buffer.from(fresh.data))).toBe(true);
  }, 60_000);

  test('when a safe-copy decode is not taken by an engine, then it is dropped once it settles (nothing held)', async () => {
    const photo = sample(3);
    await decodeForSafeCopy(photo);
    await new Promise((r) => setImmediate(r));
    expect(takeSharedDecode(photo)).toBeUndefined();
  });

  test('when the safe-copy decode of a corrupt photo fails, then the engine still refuses it with corrupt_image', async () => {
    const truncated = sample(1).subarray(0, 20_000);
    const pixels = decodeForSafeCopy(truncated);
    pixels.catch(() => undefined);
    await expect(engine.analyse(truncated)).rejects.toEqual(expect.objectContaining({ code: 'corrupt_image', status: 422 }));
    await expect(pixels).rejects.toEqual(expect.objectContaining({ code: 'corrupt_image' }));
  });
});
