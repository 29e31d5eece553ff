import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createFaceEngine } from '../../src/features/faces';
import type { FaceEngine } from '../../src/features/faces/types';
import { heicDecodeHeld } from '../../src/features/faces/heic';
import { createTestWorld, downloadBinary, signIn } from '../helpers/context';
import { samplePath } from '../helpers/photos';

// iPhones save HEIC (HEVC-coded HEIF), which sharp's prebuilt libvips cannot read. The test makes a
// real one with libheif's heif-enc (Debian package libheif-examples, installed by .ci/run).
const heifEnc = ['/usr/bin/heif-enc', '/usr/local/bin/heif-enc'].find((p) => fs.existsSync(p));
if (!heifEnc && process.env.CI) throw new Error('heif-enc is missing: apt-get install libheif-examples');
const maybe = heifEnc ? describe : describe.skip;
if (!heifEnc) console.warn('heif-enc not installed: skipping the HEIC test (apt-get install libheif-examples)');

maybe('HEIC photos', () => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await createFaceEngine({ workers: 1 });
  });
  afterAll(() => engine.close());

  test('when a parent uploads an iPhone HEIC, then every face is found and the safe copy is a clean JPEG', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heic-'));
    const jpeg = path.join(dir, 'in.jpg');
    await sharp(samplePath(2)).resize(1200).jpeg().toFile(jpeg);
    execFileSync(heifEnc!, ['-q', '80', '-o', path.join(dir, 'IMG_0001.HEIC'), jpeg]);
    const heic = fs.readFileSync(path.join(dir, 'IMG_0001.HEIC'));
    expect(heic.toString('latin1', 4, 12)).toBe('ftypheic');

    const world = createTestWorld({ engine });
    const parent = await signIn(world, 'parent');
    const res = await parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf)
      .attach('photos', heic, { filename: 'IMG_0001.HEIC', contentType: 'image/heic' });
    expect(res.status).toBe(201);
    const report = res.body.photos[0];
    // The sample's three people, found with confidence; anything weaker is blurred as well.
    expect(report.faces.filter((f: { score: number }) => f.score >= 0.9)).toHaveLength(3);
    expect(report.blurredRegions).toHaveLength(report.faces.length);
    expect(report.fileName).toBe('IMG_0001-safe.jpg');
    const meta = await sharp(await downloadBinary(parent, report.safeCopyUrl)).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([1200, report.height]);
    expect(meta.exif).toBeUndefined();
  });

  test('when a check has several HEIC photos, then each decoded photo is released as soon as it is done', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heic-'));
    const heics = await Promise.all([1, 3].map(async (n) => {
      const jpeg = path.join(dir, `in${n}.jpg`);
      await sharp(samplePath(n)).resize(640).jpeg().toFile(jpeg);
      execFileSync(heifEnc!, ['-q', '60', '-o', path.join(dir, `p${n}.heic`), jpeg]);
      return fs.readFileSync(path.join(dir, `p${n}.heic`));
    }));
    const world = createTestWorld({ engine });
    const parent = await signIn(world, 'parent');
    const record = await world.ctx.checks.check(parent.id, heics.map((buffer) => ({ buffer })), { mode: 'standard' });
    expect(record.photos.every((p) => p.ok)).toBe(true);
    // The Buffers are still referenced here (as they are by the request until it ends), yet
    // their RGBA decodes are no longer held.
    for (const buf of heics) expect(heicDecodeHeld(buf)).toBe(false);
  });
});
