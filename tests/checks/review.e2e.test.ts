import sharp from 'sharp';
import { createFaceEngine } from '../../src/features/faces';
import type { Box, FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, downloadBinary, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { cropFace, sample } from '../helpers/photos';
import { addPupil, enrol, giveBiometricConsent, linkParent } from '../helpers/register';

// The parent's review of a result, through the API with the real engine: blur more (masks applied
// by the server to a new copy), put back a weak "may be a face" region after a look, the photo's
// own name on downloads, the parent's recent checks, and "your child was not recognised".
// sample1: three people (scores 1.00) and two weak detections (0.44, 0.32).

jest.setTimeout(180_000);

let engine: FaceEngine;
beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
});
afterAll(() => engine.close());

interface ParentFace { box: Box; score: number; outcome: string; blurred: boolean; mayReveal: boolean; revealed: boolean }
interface ParentPhoto {
  index: number; ok: true; fileName: string; width: number; height: number; faces: ParentFace[]; blurredRegions: Box[];
  summary: string; safeCopyUrl: string; downloadUrl: string; thumbnailUrl: string; addedMasks: Array<Box & { shape: string }>;
  notRecognised: Array<{ firstName: string; reason: string; message: string }>;
}

async function check(parent: SignedIn, photos: Array<[Buffer, string]>, mode = 'standard') {
  let req = parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf).field('mode', mode);
  for (const [buf, name] of photos) req = req.attach('photos', buf, { filename: name, contentType: 'image/jpeg' });
  const res = await req;
  expect(res.status).toBe(201);
  return res.body as { id: string; photos: ParentPhoto[] };
}

/** Raw RGB of a JPEG and the mean absolute difference of two such images inside a box. */
async function rgb(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
function meanDiff(a: Awaited<ReturnType<typeof rgb>>, b: Awaited<ReturnType<typeof rgb>>, box: Box): number {
  let sum = 0;
  let n = 0;
  for (let y = box.y; y < box.y + box.height; y += 1) {
    for (let x = box.x; x < box.x + box.width; x += 1) {
      const i = (y * a.width + x) * 3;
      for (let k = 0; k < 3; k += 1) sum += Math.abs(a.data[i + k]! - b.data[i + k]!);
      n += 3;
    }
  }
  return sum / n;
}
function meanColour(a: Awaited<ReturnType<typeof rgb>>, box: Box): number[] {
  const out = [0, 0, 0];
  for (let y = box.y; y < box.y + box.height; y += 1) {
    for (let x = box.x; x < box.x + box.width; x += 1) for (let k = 0; k < 3; k += 1) out[k] += a.data[(y * a.width + x) * 3 + k]!;
  }
  return out.map((v) => v / (box.width * box.height));
}
/** Fine detail in a box: mean absolute difference between horizontal neighbours. */
function detail(a: Awaited<ReturnType<typeof rgb>>, box: Box): number {
  let sum = 0;
  for (let y = box.y; y < box.y + box.height; y += 1) {
    for (let x = box.x; x < box.x + box.width - 1; x += 1) {
      const i = (y * a.width + x) * 3;
      sum += Math.abs(a.data[i]! - a.data[i + 3]!);
    }
  }
  return sum / (box.height * (box.width - 1));
}
const overlapsAny = (b: Box, others: Box[]) => others.some((o) => b.x < o.x + o.width && o.x < b.x + b.width && b.y < o.y + o.height && o.y < b.y + b.height);

describe('blur more, never less', () => {
  let world: TestWorld;
  let parent: SignedIn;
  let result: { id: string; photos: ParentPhoto[] };

  beforeAll(async () => {
    world = createTestWorld({ engine });
    parent = await signIn(world, 'parent');
    result = await check(parent, [[sample(1), 'IMG_1234.JPG']]);
  });

  /** The box of the photo with the most detail that no face's blur touches. */
  function freeBox(p: ParentPhoto, w: number, h: number, img: Awaited<ReturnType<typeof rgb>>): Box {
    let best: Box | null = null;
    for (let y = 0; y + h + 60 <= p.height; y += 40) {
      for (let x = 0; x + w <= p.width; x += 40) {
        const b = { x, y, width: w, height: h };
        if (overlapsAny({ ...b, height: h + 60 }, p.blurredRegions)) continue;
        if (!best || detail(img, b) > detail(img, best)) best = b;
      }
    }
    if (!best) throw new Error('no free box');
    return best;
  }

  test('when the parent adds a rectangle, an ellipse and stickers, then the server writes a new copy with them and keeps the rest', async () => {
    const photo = result.photos[0]!;
    const before = await rgb(await downloadBinary(parent, photo.safeCopyUrl));
    const rect = freeBox(photo, 160, 120, before);
    const res = await parent.agent.post(`/api/checks/${result.id}/photos/0/masks`).set('x-csrf-token', parent.csrf)
      .send({ style: 'pixelate', masks: [{ shape: 'rect', ...rect }] });
    expect(res.status).toBe(200);
    const after = res.body.photos[0] as ParentPhoto;
    expect(after.addedMasks).toEqual([{ shape: 'rect', ...rect }]);
    expect(after.safeCopyUrl).toMatch(/\?v=1$/);
    const now = await rgb(await downloadBinary(parent, after.safeCopyUrl));
    // Inside: the detail is gone (large change); elsewhere only the re-encoding's noise.
    expect(detail(before, rect)).toBeGreaterThan(4);
    expect(detail(now, rect)).toBeLessThan(detail(before, rect) / 4);
    const outside = { x: rect.x, y: rect.y + rect.height + 8, width: rect.width, height: 40 };
    expect(meanDiff(before, now, outside)).toBeLessThan(2);
    // Every face blurred before is still in the list, and the copy is still metadata-free.
    expect(after.blurredRegions).toEqual(photo.blurredRegions);
    expect((await sharp(await downloadBinary(parent, after.safeCopyUrl)).metadata()).exif).toBeUndefined();

    // Solid ellipse: its centre is a flat dark grey, the corners of its box keep the photo.
    const ell = freeBox({ ...photo, blurredRegions: [...photo.blurredRegions, rect] }, 120, 120, before);
    const solid = await parent.agent.post(`/api/checks/${result.id}/photos/0/masks`).set('x-csrf-token', parent.csrf)
      .send({ style: 'solid', masks: [{ shape: 'ellipse', ...ell }] }).expect(200);
    const third = await rgb(await downloadBinary(parent, solid.body.photos[0].safeCopyUrl));
    const centre = meanColour(third, { x: ell.x + 50, y: ell.y + 50, width: 20, height: 20 });
    centre.forEach((c, k) => expect(Math.abs(c - [64, 64, 72][k]!)).toBeLessThan(6));
    expect(meanDiff(now, third, { x: ell.x, y: ell.y, width: 10, height: 10 })).toBeLessThan(3);
    // The first mask is still there (the new copy was made from the last one).
    expect(meanDiff(now, third, rect)).toBeLessThan(2);

    const sticker = await parent.agent.post(`/api/checks/${result.id}/photos/0/masks`).set('x-csrf-token', parent.csrf)
      .send({ style: 'sticker', masks: [{ shape: 'rect', ...rect }] }).expect(200);
    const fourth = await rgb(await downloadBinary(parent, sticker.body.photos[0].safeCopyUrl));
    const [r, g, b] = meanColour(fourth, { x: rect.x + rect.width / 2 - 30, y: rect.y + 20, width: 8, height: 8 }).map(Math.round);
    expect(r).toBeGreaterThan(200); // the sticker's yellow face
    expect(g).toBeGreaterThan(150);
    expect(b).toBeLessThan(120);
    expect(sticker.body.photos[0].addedMasks).toHaveLength(3);
  });

  test('when a mask is outside the photo, malformed, or on someone else\'s check, then nothing changes', async () => {
    const url = `/api/checks/${result.id}/photos/0/masks`;
    const outside = await parent.agent.post(url).set('x-csrf-token', parent.csrf)
      .send({ masks: [{ x: 50_000, y: 50_000, width: 10, height: 10 }] });
    expect(outside.status).toBe(400);
    const bad = await parent.agent.post(url).set('x-csrf-token', parent.csrf).send({ masks: [{ x: 'a', y: 0, width: 10, height: 10 }] });
    expect(bad.status).toBe(400);
    const none = await parent.agent.post(url).set('x-csrf-token', parent.csrf).send({ masks: [] });
    expect(none.status).toBe(400);
    const other = await signIn(world, 'parent');
    const stranger = await other.agent.post(url).set('x-csrf-token', other.csrf).send({ masks: [{ x: 0, y: 0, width: 10, height: 10 }] });
    expect(stranger.status).toBe(404);
    expect(world.ctx.checks.get(parent.id, result.id).photos[0]).toMatchObject({ version: 3 });
  });

  test('when the parent downloads, then the copy keeps the photo\'s own name', async () => {
    const res = await parent.agent.get(result.photos[0]!.downloadUrl).expect(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?IMG_1234-safe\.jpg"?$/);
    const thumb = await sharp(await downloadBinary(parent, result.photos[0]!.thumbnailUrl)).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBe(240);
  });
});

describe('putting back a place that may be a face', () => {
  test('when the parent looks at a weak region and confirms, then it is put back (never over a face), counted in the audit; a face never can be', async () => {
    const world = createTestWorld({ engine });
    const parent = await signIn(world, 'parent');
    const result = await check(parent, [[sample(1), 'party.jpg']]);
    const photo = result.photos[0]!;
    const weak = photo.faces.map((f, i) => ({ f, i })).filter(({ f }) => f.mayReveal);
    expect(weak.length).toBeGreaterThanOrEqual(1);
    expect(weak.every(({ f }) => f.score < 0.5 && f.blurred)).toBe(true);
    const strong = photo.faces.findIndex((f) => f.score >= 0.9);
    expect(photo.faces[strong]!.mayReveal).toBe(false);

    const { i } = weak[0]!;
    const base = `/api/checks/${result.id}/photos/0/regions/${i}`;
    const preview = await sharp(await downloadBinary(parent, base)).metadata();
    expect(Math.max(preview.width!, preview.height!)).toBeGreaterThanOrEqual(480);

    expect((await parent.agent.post(`${base}/reveal`).set('x-csrf-token', parent.csrf).send({})).status).toBe(400);
    const face = await parent.agent.post(`/api/checks/${result.id}/photos/0/regions/${strong}/reveal`).set('x-csrf-token', parent.csrf).send({ confirm: true });
    expect(face.status).toBe(409);
    expect((await parent.agent.get(`/api/checks/${result.id}/photos/0/regions/${strong}`)).status).toBe(409);
    const other = await signIn(world, 'parent');
    expect((await other.agent.post(`${base}/reveal`).set('x-csrf-token', other.csrf).send({ confirm: true })).status).toBe(404);

    const blurred = await rgb(await downloadBinary(parent, photo.safeCopyUrl));
    const res = await parent.agent.post(`${base}/reveal`).set('x-csrf-token', parent.csrf).send({ confirm: true });
    expect(res.status).toBe(200);
    const after = res.body.photos[0] as ParentPhoto;
    expect(after.faces[i]).toMatchObject({ blurred: false, revealed: true, outcome: 'visible', mayReveal: false });
    expect(after.blurredRegions).toHaveLength(photo.blurredRegions.length - 1);
    expect(after.summary).toMatch(/place you checked is not a face and was put back/);

    // The region's pixels are the photo's own again, except where another face's blur overlaps.
    const stored = world.ctx.checks.get(parent.id, result.id).photos[0]!;
    if (!stored.ok) throw new Error('photo failed');
    const region = stored.faces[i]!.region!;
    const others = stored.faces.filter((f, k) => k !== i && f.blurred).map((f) => f.region!);
    const original = await rgb(await sharp(sample(1)).jpeg({ quality: 100 }).toBuffer());
    const revealed = await rgb(await downloadBinary(parent, after.safeCopyUrl));
    const clear: Box[] = [];
    for (let y = region.y; y + 8 <= region.y + region.height; y += 8) {
      for (let x = region.x; x + 8 <= region.x + region.width; x += 8) {
        const b = { x, y, width: 8, height: 8 };
        if (!overlapsAny(b, others)) clear.push(b);
      }
    }
    expect(clear.length).toBeGreaterThan(0);
    const restoredDiff = clear.reduce((n, b) => n + meanDiff(original, revealed, b), 0) / clear.length;
    const blurredDiff = clear.reduce((n, b) => n + meanDiff(original, blurred, b), 0) / clear.length;
    expect(restoredDiff).toBeLessThan(blurredDiff / 2);
    for (const o of others) {
      // Every other blur is exactly as it was (up to the re-encoding's noise).
      expect(meanDiff(blurred, revealed, o)).toBeLessThan(2);
    }

    // Once only; counted in the audit with counts alone.
    expect((await parent.agent.post(`${base}/reveal`).set('x-csrf-token', parent.csrf).send({ confirm: true })).status).toBe(409);
    const audit = world.ctx.audit.list({ action: 'check.region_revealed' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: parent.id, subjectId: null, details: { photos: 1, regions: 1 } });
  });

  test('when the check was "only my child", then nothing can be put back', async () => {
    const world = createTestWorld({ engine });
    const parent = await signIn(world, 'parent');
    const result = await check(parent, [[sample(1), 'a.jpg']], 'only_my_child');
    const faces = result.photos[0]!.faces;
    expect(faces.some((f) => f.score < 0.5)).toBe(true);
    expect(faces.every((f) => !f.mayReveal)).toBe(true);
    const weak = faces.findIndex((f) => f.score < 0.5);
    const res = await parent.agent.post(`/api/checks/${result.id}/photos/0/regions/${weak}/reveal`).set('x-csrf-token', parent.csrf).send({ confirm: true });
    expect(res.status).toBe(409);
  });
});

describe('recent checks, names and order', () => {
  test('when a parent has checks, then they see only their own of the last hour, newest first, can delete one, and the zip keeps upload order and names', async () => {
    const world = createTestWorld({ engine });
    const parent = await signIn(world, 'parent');
    const other = await signIn(world, 'parent');
    const small = await sharp(sample(5)).resize(800).jpeg().toBuffer();
    const first = await check(parent, [[small, 'IMG_0002.jpg'], [small, 'IMG_0001.jpg'], [small, '../../etc/pass"wd.jpg'], [small, 'IMG_0002.jpg']]);
    expect(first.photos.map((p) => p.fileName)).toEqual(['IMG_0002-safe.jpg', 'IMG_0001-safe.jpg', 'pass-wd-safe.jpg', 'IMG_0002-safe-2.jpg']);
    world.clock.advance(10 * 60_000);
    const second = await check(parent, [[small, 'IMG_0001.jpg']]);
    await check(other, [[small, 'x.jpg']]);

    const list = (await parent.agent.get('/api/checks').expect(200)).body.checks as Array<{ id: string }>;
    expect(list.map((c) => c.id)).toEqual([second.id, first.id]);

    // The zip of several checks keeps the order asked for, and no two entries share a name.
    const zip = await downloadBinary(parent, `/api/checks/zip?ids=${first.id},${second.id}`);
    const names = [...zip.toString('latin1').matchAll(/PK\x03\x04[\s\S]{22}([\s\S]{2})[\s\S]{2}/g)]
      .map((m) => { const at = m.index! + 30; return zip.toString('latin1', at, at + m[1]!.charCodeAt(0) + m[1]!.charCodeAt(1) * 256); });
    expect(names).toEqual(['IMG_0002-safe.jpg', 'IMG_0001-safe.jpg', 'pass-wd-safe.jpg', 'IMG_0002-safe-2.jpg', 'IMG_0001-safe-2.jpg']);

    await parent.agent.delete(`/api/checks/${first.id}`).set('x-csrf-token', parent.csrf).expect(204);
    expect((await parent.agent.get('/api/checks').expect(200)).body.checks.map((c: { id: string }) => c.id)).toEqual([second.id]);
    world.clock.advance(61 * 60_000);
    expect((await parent.agent.get('/api/checks').expect(200)).body.checks).toEqual([]);
  });
});

describe('own child not recognised', () => {
  test('when the parent\'s own children are not recognised, then each is named with what to do, nobody else is, and the office gets counts', async () => {
    const world = createTestWorld({ engine });
    const office = await signIn(world, 'admin');
    const parent = await signIn(world, 'parent');
    const faces = (await engine.analyse(sample(5))).faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x);
    const sam = await addPupil(office, 'Sam'); // enrolled from sample5, checked on sample1: no match
    const kit = await addPupil(office, 'Kit'); // biometric consent, no reference
    const lou = await addPupil(office, 'Lou'); // no biometric consent
    const zed = await addPupil(office, 'Zed'); // someone else's child, enrolled
    for (const [id, face] of [[sam, 0], [zed, 1]] as const) {
      await giveBiometricConsent(office, id);
      expect((await enrol(office, id, await cropFace(sample(5), faces[face]!.box))).status).toBe(201);
    }
    await giveBiometricConsent(office, kit);
    for (const id of [sam, kit, lou]) await linkParent(office, id, parent.id);

    const result = await check(parent, [[sample(1), 'a.jpg']]);
    const notRecognised = result.photos[0]!.notRecognised;
    expect(notRecognised.map((n) => `${n.firstName}: ${n.reason}`).sort()).toEqual(['Kit: no_reference', 'Lou: no_biometric_consent', 'Sam: no_match']);
    expect(notRecognised.find((n) => n.firstName === 'Sam')!.message).toContain('Ask the school office to add a clearer photo of Sam.');
    expect(notRecognised.find((n) => n.firstName === 'Lou')!.message).toContain('Consent page');
    expect(JSON.stringify(result)).not.toMatch(/Zed|Testpupil/);

    // Sam is recognised in the photo Sam's reference came from: no message about Sam there.
    const own = await check(parent, [[sample(5), 'b.jpg']]);
    expect(own.photos[0]!.notRecognised.map((n) => n.firstName)).toEqual(expect.not.arrayContaining(['Sam']));
    expect(world.ctx.register.unrecognisedCounts(sam)).toMatchObject({ noMatch: 1, noReference: 0 });
    expect(world.ctx.register.unrecognisedCounts(kit)).toMatchObject({ noMatch: 0, noReference: 2 });
    expect(world.ctx.register.unrecognisedCounts(zed)).toBeNull();
    const pupilPage = await office.agent.get(`/office/pupils/${sam}`).set('Accept', 'text/html').expect(200);
    expect(pupilPage.text).toMatch(/Photos checked by Sam's parents did not recognise Sam: 1 photo where ShareSafe found no confident match\. The last was on 2 March 2026\./);
    expect((await office.agent.get(`/office/pupils/${zed}`).set('Accept', 'text/html').expect(200)).text).not.toContain('id="unrecognised-counts"');
  });
});
