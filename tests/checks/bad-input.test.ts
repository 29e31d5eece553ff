import fs from 'node:fs';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { createFaceEngine } from '../../src/features/faces';
import type { FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { sample } from '../helpers/photos';
import { jpegDeclaring } from '../faces/helpers/images';

// Bad input gets a clear error, loses nothing else and leaves the server healthy.
let engine: FaceEngine;
let world: TestWorld;
let parent: SignedIn;

let jpegBomb: Buffer;

beforeAll(async () => {
  jpegBomb = await jpegDeclaring(6000);
  engine = await createFaceEngine({ workers: 1 });
  world = createTestWorld({ engine, config: { MAX_UPLOAD_MB: '2', MAX_PHOTOS_PER_CHECK: '3' } });
  parent = await signIn(world, 'parent');
});
afterAll(() => engine.close());

const upload = (files: Array<{ data: Buffer; name: string; type?: string }>) => {
  const req = parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf);
  for (const f of files) req.attach('photos', f.data, { filename: f.name, contentType: f.type ?? 'image/jpeg' });
  return req;
};

/** A PNG of a few kilobytes whose header declares 50,000 x 50,000 pixels (7.5 GB decoded):
 *  the first rows of zeros are real compressed data, as in a real bomb. */
function pngBomb(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(20 * (1 + 50_000 * 3)))), chunk('IEND', Buffer.alloc(0))]);
}

async function expectNothingStoredAndHealthy() {
  expect(fs.readdirSync(world.config.UPLOADS_DIR)).toEqual([]);
  const health = await parent.agent.get('/api/health').expect(200);
  expect(health.body.status).toBe('ok');
}

test.each([
  ['a text file named .jpg', () => Buffer.from('this is not a photo at all'), 415, 'unsupported_media_type'],
  ['a PDF', () => Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 415, 'unsupported_media_type'],
  ['a truncated JPEG', () => sample(1).subarray(0, Math.floor(sample(1).length / 2)), 422, 'corrupt_image'],
  ['a decompression bomb', pngBomb, 422, 'image_too_large'],
  ['a 300-byte JPEG declaring 6000 x 6000', () => jpegBomb, 422, 'corrupt_image'],
])('when the upload is %s, then it is refused with a clear error', async (_what, make, status, code) => {
  const res = await upload([{ data: make(), name: 'photo.jpg' }]);
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message.length).toBeGreaterThan(10);
  await expectNothingStoredAndHealthy();
});

test('when a photo is larger than the upload limit, then it is refused with 413', async () => {
  const big = await sharp({ create: { width: 2400, height: 2400, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .jpeg({ quality: 100 }).toBuffer();
  expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
  const res = await upload([{ data: big, name: 'big.jpg' }]);
  expect(res.status).toBe(413);
  expect(res.body.error.code).toBe('payload_too_large');
  await expectNothingStoredAndHealthy();
});

test('when more photos are sent than allowed, then the request is refused with 413', async () => {
  const small = await sharp(sample(1)).resize(200).toBuffer();
  const res = await upload([1, 2, 3, 4].map((n) => ({ data: small, name: `${n}.jpg` })));
  expect(res.status).toBe(413);
  await expectNothingStoredAndHealthy();
});

test('when no photo is sent, then the request is refused with 400', async () => {
  const res = await parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf).field('mode', 'standard');
  expect(res.status).toBe(400);
});

test('when one photo of several is broken, then the others are still checked and the broken one is reported', async () => {
  const good = await sharp(sample(2)).resize(960).jpeg().toBuffer();
  const res = await upload([{ data: good, name: 'a.jpg' }, { data: Buffer.from('garbage'), name: 'b.jpg' }]);
  expect(res.status).toBe(201);
  expect(res.body.photos[0].ok).toBe(true);
  expect(res.body.photos[0].faces.length).toBeGreaterThan(0);
  expect(res.body.photos[1]).toEqual({ index: 1, ok: false, error: expect.objectContaining({ code: 'unsupported_media_type' }) });
  await parent.agent.get(res.body.photos[0].safeCopyUrl).expect(200);
  await parent.agent.get(`/api/checks/${res.body.id}/photos/1`).expect(404);
});

test('when a PNG or WebP is checked, then the safe copy is a JPEG with every face blurred', async () => {
  for (const format of ['png', 'webp'] as const) {
    const photo = await sharp(sample(3)).resize(900)[format]().toBuffer();
    const res = await upload([{ data: photo, name: `p.${format}`, type: `image/${format}` }]);
    expect(res.status).toBe(201);
    const report = res.body.photos[0];
    expect(report.faces.length).toBeGreaterThanOrEqual(3);
    expect(report.blurredRegions).toHaveLength(report.faces.length); // nobody enrolled: all unknown
  }
});

test('when more checks arrive than the service handles at once, then the extra one is refused with 503 and nothing is lost', async () => {
  const busyWorld = createTestWorld({ engine, config: { MAX_CHECKS_IN_FLIGHT: '1' } });
  const a = await signIn(busyWorld, 'parent');
  const b = await signIn(busyWorld, 'parent');
  const photo = await sharp(sample(2)).resize(1400).jpeg().toBuffer();
  const send = (u: SignedIn) => u.agent.post('/api/checks').set('x-csrf-token', u.csrf).attach('photos', photo, { filename: 'a.jpg', contentType: 'image/jpeg' });
  // Both leave at once; the engine takes over a second for the first, so the second finds it busy.
  const [first, second] = await Promise.all([send(a), new Promise((r) => setTimeout(r, 100)).then(() => send(b))]);
  expect(first.status).toBe(201);
  expect(second.status).toBe(503);
  expect(second.body.error.code).toBe('busy');
  expect(second.headers['retry-after']).toBe('30');
  expect((await send(b)).status).toBe(201); // the slot is free again
});
