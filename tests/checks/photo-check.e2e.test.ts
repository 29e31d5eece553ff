import fs from 'node:fs';
import sharp from 'sharp';
import request from 'supertest';
import { createFaceEngine, euclideanDistance } from '../../src/features/faces';
import { spotlightRegion } from '../../src/features/faces/spotlight';
import { coveredShare } from '../../bench/eval-metrics';
import type { Analysis, Box, FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, downloadBinary, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { cropFace, findBox, phonePhoto, sample } from '../helpers/photos';
import { addPupil, enrol, giveBiometricConsent, linkParent, setPhotoConsent } from '../helpers/register';

// One scene (sample5: five faces), enrolled from the original photo and checked on a different
// "phone" photo of it (mirrored, resized, re-encoded, stored sideways with EXIF orientation).
//   face 0: Amy, the parent's own child           -> visible
//   face 1: Ben, current photo-sharing consent    -> visible
//   face 2: Cal, consent refused                  -> blurred
//   face 3: Dee, consent granted, NO biometric consent (not enrolled) -> blurred
//   face 4: a stranger                            -> blurred

let engine: FaceEngine;
let original: Analysis;
let scene: Awaited<ReturnType<typeof phonePhoto>>;

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  // The five people of the sample, found with confidence (the detector may also report a face cut
  // by the frame's edge at lower confidence; the check blurs it as unknown).
  const analysis = await engine.analyse(sample(5));
  original = { ...analysis, faces: analysis.faces.filter((f) => f.score >= 0.9) };
  expect(original.faces.length).toBe(5);
  original.faces.sort((a, b) => a.box.x - b.box.x);
  scene = await phonePhoto(sample(5));
});
afterAll(() => engine.close());

interface Scene {
  world: TestWorld;
  office: SignedIn;
  parent: SignedIn;
  ids: Record<'amy' | 'ben' | 'cal' | 'dee', number>;
}

async function setUpScene(opts: { firstPupilId?: number } = {}): Promise<Scene> {
  const world = createTestWorld({ engine });
  // Distinctive pupil ids, so a leaked id can be searched for in any response.
  if (opts.firstPupilId) {
    world.ctx.db.prepare(`INSERT INTO pupils (id, first_name, last_name, class_name, year_group, created_at, updated_at)
      VALUES (?, 'Placeholder', 'Row', '0Z', 'Y1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`).run(opts.firstPupilId - 1);
  }
  const office = await signIn(world, 'admin');
  const parent = await signIn(world, 'parent');
  const ids = {
    amy: await addPupil(office, 'Amy'), ben: await addPupil(office, 'Ben'),
    cal: await addPupil(office, 'Cal'), dee: await addPupil(office, 'Dee'),
  };
  const enrolled: Array<[number, number]> = [[ids.amy, 0], [ids.ben, 1], [ids.cal, 2]];
  for (const [pupilId, face] of enrolled) {
    await giveBiometricConsent(office, pupilId);
    const res = await enrol(office, pupilId, await cropFace(sample(5), original.faces[face]!.box));
    expect(res.status).toBe(201);
  }
  await setPhotoConsent(office, ids.amy, 'refused'); // own child: visible to their parent regardless
  await setPhotoConsent(office, ids.ben, 'granted', '2026-03-10');
  await setPhotoConsent(office, ids.cal, 'refused');
  await setPhotoConsent(office, ids.dee, 'granted');
  await linkParent(office, ids.amy, parent.id);
  return { world, office, parent, ids };
}

async function check(s: Scene, photo = scene.photo) {
  return s.parent.agent.post('/api/checks').set('x-csrf-token', s.parent.csrf)
    .attach('photos', photo, { filename: 'IMG_0001.HEIC.jpg', contentType: 'image/jpeg' });
}

/** Stored (server-side) verdict of each sample face (in original order), found by box overlap.
 *  The parent's response carries only own child / visible / blurred; the detail stays here. */
function verdicts(s: Scene, res: { body: { id: string } }): string[] {
  const stored = s.world.ctx.checks.get(s.parent.id, res.body.id).photos[0]!;
  if (!stored.ok) throw new Error('photo failed');
  const boxes = stored.faces.map((f) => f.box);
  return original.faces.map((f) => {
    const i = findBox(boxes, scene.mapBox(f.box));
    return i === -1 ? 'missing' : stored.faces[i]!.verdict;
  });
}

/** What the parent was told about each sample face. */
function outcomes(report: { faces: { box: Box; outcome: string }[] }): string[] {
  const boxes = report.faces.map((f) => f.box);
  return original.faces.map((f) => {
    const i = findBox(boxes, scene.mapBox(f.box));
    return i === -1 ? 'missing' : report.faces[i]!.outcome;
  });
}

test('when a parent checks a photo, then exactly the faces without consent are unrecognisable in the safe copy', async () => {
  const s = await setUpScene();
  const res = await check(s);
  expect(res.status).toBe(201);
  const photo = res.body.photos[0];
  expect(verdicts(s, res)).toEqual(['own_child', 'consented', 'no_consent', 'unknown', 'unknown']);
  expect(outcomes(photo)).toEqual(['own_child', 'visible', 'blurred', 'blurred', 'blurred']);
  // Anything else the detector reports (a face cut by the frame, a face-like patch) is unknown
  // and blurred: fail closed.
  const extra = photo.faces.length - original.faces.length;
  expect(extra).toBeGreaterThanOrEqual(0);
  expect(photo.counts).toEqual({ own_child: 1, visible: 1, blurred: 3 + extra });
  expect(photo.alreadySafe).toBe(false);
  expect(photo.blurredRegions).toHaveLength(3 + extra);
  expect(photo.summary).toContain('Amy');
  // Names: only the parent's own child, nowhere else in the response.
  const text = JSON.stringify(res.body);
  for (const name of ['Ben', 'Cal', 'Dee', 'Testpupil']) expect(text).not.toContain(name);
  const identified = photo.faces.filter((f: { child?: unknown }) => f.child !== undefined);
  expect(identified).toEqual([expect.objectContaining({ outcome: 'own_child', child: { id: s.ids.amy, firstName: 'Amy' } })]);

  const safe = await downloadBinary(s.parent, photo.safeCopyUrl);
  const meta = await sharp(safe).metadata();
  expect(meta.format).toBe('jpeg');
  expect([meta.width, meta.height]).toEqual([scene.width, scene.height]); // orientation baked in
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.orientation ?? 1).toBe(1);
  expect(safe.includes(Buffer.from('Apple'))).toBe(false);

  // Look at the output itself: the visible faces are still recognisable, the blurred ones are not.
  const after = await engine.analyse(safe);
  const afterBoxes = after.faces.map((f) => f.box);
  const distanceAfter = (face: number): number => {
    const i = findBox(afterBoxes, scene.mapBox(original.faces[face]!.box));
    const d = i === -1 ? null : after.faces[i]!.descriptor;
    return d ? euclideanDistance(d, original.faces[face]!.descriptor!) : Infinity;
  };
  expect(distanceAfter(0)).toBeLessThan(0.5);
  expect(distanceAfter(1)).toBeLessThan(0.5);
  for (const face of [2, 3, 4]) expect(distanceAfter(face)).toBeGreaterThan(0.6);
});

test('when consent passes its review date or is withdrawn, then the child is blurred', async () => {
  const s = await setUpScene();
  s.world.clock.set('2026-03-10T18:00:00Z'); // Ben's review date: still current on the day
  expect(verdicts(s, await check(s))[1]).toBe('consented');
  s.world.clock.set('2026-03-11T09:00:00Z');
  expect(verdicts(s, await check(s))[1]).toBe('no_consent');

  s.world.clock.set('2026-03-03T09:00:00Z');
  expect(verdicts(s, await check(s))[1]).toBe('consented');
  await setPhotoConsent(s.office, s.ids.ben, 'refused');
  expect(verdicts(s, await check(s))[1]).toBe('no_consent');
});

test('when biometric consent is withdrawn, then the child can no longer be recognised and is blurred', async () => {
  const s = await setUpScene();
  await s.office.agent.post(`/api/pupils/${s.ids.amy}/biometric-consent`).set('x-csrf-token', s.office.csrf)
    .send({ parentConsent: true, parentObjection: false, childObjection: true, givenBy: 'Amy, to her teacher' }).expect(201);
  expect(verdicts(s, await check(s))[0]).toBe('unknown');
});

test('when another pupil looks the same (under the margin), then the face is blurred even for its parent', async () => {
  const s = await setUpScene();
  const twin = await addPupil(s.office, 'Twin');
  await giveBiometricConsent(s.office, twin);
  // A second, slightly different photo of Amy's face offered as someone else's: refused today.
  const lookAlike = await sharp(await cropFace(sample(5), original.faces[0]!.box, 0.5)).modulate({ brightness: 0.95 }).toBuffer();
  const refused = await enrol(s.office, twin, lookAlike);
  expect([refused.status, refused.body.error?.code]).toEqual([422, 'reference_matches_other_pupil']);
  // A reference stored before that rule (written straight to the table): the check's margin still blurs.
  const descriptor = (await engine.analyse(lookAlike)).faces[0]!.descriptor!;
  s.world.ctx.db.prepare('INSERT INTO reference_faces (pupil_id, descriptor_enc, face_width, quality, created_at) VALUES (?, ?, 150, 0.9, ?)')
    .run(twin, s.world.ctx.cipher.encrypt(Buffer.from(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength)), '2026-01-01T00:00:00Z');
  s.world.ctx.register.invalidateGallery();
  expect(verdicts(s, await check(s))[0]).toBe('unknown');
});

test('when a consented pupil has a twin who is not enrolled, then other parents see the face blurred until the office confirms no look-alike sibling', async () => {
  const s = await setUpScene();
  // Ben's twin Bea: same parent, no biometric consent, so no reference photo. Ben's portrait
  // (the only one enrolled) may just as well be Bea's face.
  const bea = await addPupil(s.office, 'Bea');
  const twinsParent = await signIn(s.world, 'parent');
  await linkParent(s.office, s.ids.ben, twinsParent.id);
  await linkParent(s.office, bea, twinsParent.id);
  expect(verdicts(s, await check(s))[1]).toBe('unknown');
  expect(outcomes((await check(s)).body.photos[0])[1]).toBe('blurred');

  // The twins' own parent: both are their children, so Ben's match may be shown to them.
  const theirs = await twinsParent.agent.post('/api/checks').set('x-csrf-token', twinsParent.csrf)
    .attach('photos', scene.photo, { filename: 'a.jpg', contentType: 'image/jpeg' }).expect(201);
  expect(outcomes(theirs.body.photos[0])[1]).toBe('own_child');

  // The office page says why, and the office confirms there (audited); then Ben is shown again.
  const page = await s.office.agent.get(`/office/pupils/${s.ids.ben}`).expect(200);
  expect(page.text).toContain('who cannot be recognised');
  await s.office.agent.post(`/office/pupils/${s.ids.ben}/no-lookalike-sibling`).type('form')
    .send({ _csrf: s.office.csrf, confirmed: 'yes' }).expect(303);
  expect(verdicts(s, await check(s))[1]).toBe('consented');
  const audit = await s.office.agent.get('/api/audit').query({ action: 'pupil.no_lookalike_sibling_confirmed' }).expect(200);
  expect(JSON.stringify(audit.body)).toContain(`"subjectId":${s.ids.ben}`);

  // Withdrawn through the API: blurred again.
  const res = await s.office.agent.post(`/api/pupils/${s.ids.ben}/no-lookalike-sibling`).set('x-csrf-token', s.office.csrf)
    .send({ confirmed: false }).expect(200);
  expect(res.body).toMatchObject({ pupil: { noLookalikeSibling: { confirmedAt: null } }, unenrolledSiblings: 1 });
  expect(verdicts(s, await check(s))[1]).toBe('unknown');
  await s.parent.agent.post(`/api/pupils/${s.ids.ben}/no-lookalike-sibling`).set('x-csrf-token', s.parent.csrf)
    .send({ confirmed: true }).expect(403);

  // Once Bea is enrolled too (her own portrait), the margin between the twins decides instead.
  await giveBiometricConsent(s.office, bea);
  expect((await enrol(s.office, bea, await cropFace(sample(5), original.faces[3]!.box))).status).toBe(201);
  expect(verdicts(s, await check(s))[1]).toBe('consented');
});

test('when a face is smaller than the engine can describe reliably (40 px), then it is found but never matched, so blurred', async () => {
  const s = await setUpScene();
  const ben = scene.mapBox(original.faces[1]!.box);
  const shrunk = async (faceWidth: number) => {
    const scale = faceWidth / ben.width;
    const photo = await sharp(scene.photo).rotate().resize(Math.round(scene.width * scale)).jpeg({ quality: 92 }).toBuffer();
    const analysis = await engine.analyse(photo);
    const i = findBox(analysis.faces.map((f) => f.box), { x: ben.x * scale, y: ben.y * scale, width: ben.width * scale, height: ben.height * scale });
    expect(i).toBeGreaterThanOrEqual(0); // found: it will be blurred
    const res = await check(s, photo);
    const stored = s.world.ctx.checks.get(s.parent.id, res.body.id).photos[0]!;
    const j = stored.ok ? findBox(stored.faces.map((f) => f.box), analysis.faces[i]!.box) : -1;
    return { described: analysis.faces[i]!.descriptor !== null, verdict: stored.ok ? stored.faces[j]!.verdict : 'failed', outcome: res.body.photos[0].faces[j].outcome };
  };
  expect(await shrunk(34)).toEqual({ described: false, verdict: 'unknown', outcome: 'blurred' });
  expect(await shrunk(60)).toEqual({ described: true, verdict: 'consented', outcome: 'visible' });
});

test('when the engine fails, then the check fails closed: 503, no copy, nothing stored', async () => {
  const failing = await createFaceEngine({ workers: 1 });
  await failing.close();
  const world = createTestWorld({ engine: failing });
  const parent = await signIn(world, 'parent');
  const res = await parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf)
    .attach('photos', scene.photo, { filename: 'a.jpg', contentType: 'image/jpeg' });
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('engine_failed');
  expect(res.headers['content-type']).toMatch(/json/);
  expect(fs.readdirSync(world.config.UPLOADS_DIR)).toEqual([]);
});

test('when another parent asks for a check, then it does not exist for them; and it expires', async () => {
  const s = await setUpScene();
  const res = await check(s);
  const other = await signIn(s.world, 'parent');
  await other.agent.get(`/api/checks/${res.body.id}`).expect(404);
  await other.agent.get(res.body.photos[0].safeCopyUrl).expect(404);
  await other.agent.get('/api/pupils').expect(403);
  await request(s.world.app).get(`/api/checks/${res.body.id}`).expect(401);

  await s.parent.agent.get(`/api/checks/${res.body.id}`).expect(200);
  const zip = await s.parent.agent.get(res.body.zipUrl).expect(200);
  expect(zip.headers['content-type']).toBe('application/zip');

  s.world.clock.advance(61 * 60 * 1000);
  await s.parent.agent.get(`/api/checks/${res.body.id}`).expect(404);
  expect(s.world.ctx.checks.sweep()).toBe(1);
  expect(fs.readdirSync(s.world.config.UPLOADS_DIR)).toEqual([]);
});

test('when the same child appears to be in a photo twice, then both faces are blurred, even their own child', async () => {
  const s = await setUpScene();
  // The scene next to itself: Amy and Ben each match two faces, so neither match can be trusted.
  const double = await sharp({ create: { width: scene.width * 2, height: scene.height, channels: 3, background: '#000' } })
    .composite([
      { input: await sharp(scene.photo).rotate().toBuffer(), left: 0, top: 0 },
      { input: await sharp(scene.photo).rotate().toBuffer(), left: scene.width, top: 0 },
    ]).jpeg().toBuffer();
  const photo = (await check(s, double)).body.photos[0];
  // Ten people (and any weak place that may be a face), every one blurred.
  expect(photo.faces.filter((f: { score: number }) => f.score >= 0.9)).toHaveLength(10);
  expect(photo.counts.own_child + photo.counts.visible).toBe(0);
  expect(photo.blurredRegions).toHaveLength(photo.faces.length);
});

test('when a parent checks in "only my child" mode, then nothing outside their child\'s head and shoulders is left sharp', async () => {
  const s = await setUpScene();
  const res = await s.parent.agent.post('/api/checks').set('x-csrf-token', s.parent.csrf)
    .field('mode', 'only_my_child')
    .attach('photos', scene.photo, { filename: 'IMG_0001.jpg', contentType: 'image/jpeg' });
  expect(res.status).toBe(201);
  const photo = res.body.photos[0];
  const own = photo.faces.filter((f: { outcome: string }) => f.outcome === 'own_child');
  expect(own).toHaveLength(1);
  // Ben has consent, but this mode compares faces with the parent's own child only.
  expect(verdicts(s, res)).toEqual(['own_child', 'unknown', 'unknown', 'unknown', 'unknown']);
  const keep = spotlightRegion(own[0].box, scene.width, scene.height);
  // The report accounts for every pixel outside the spotlight as blurred.
  const whole = { x: 0, y: 0, width: scene.width, height: scene.height };
  expect(coveredShare(whole, [...photo.blurredRegions, keep])).toBe(1);
  expect(coveredShare(keep, photo.blurredRegions)).toBeLessThan(0.5);

  // The pixels themselves: every 16 px tile outside the spotlight (a JPEG block's margin away
  // from it) is smooth in the copy, where the photo has detail.
  const safe = await downloadBinary(s.parent, photo.safeCopyUrl);
  const copy = await sharp(safe).greyscale().raw().toBuffer({ resolveWithObject: true });
  const orig = await sharp(scene.photo).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
  expect([copy.info.width, copy.info.height]).toEqual([scene.width, scene.height]);
  // Detail = mean absolute second difference along rows: zero on the smooth ramps between
  // background blocks, high on edges, hair, eyes.
  const detail = (img: Buffer, x0: number, y0: number): number => {
    let sum = 0;
    for (let y = y0; y < y0 + 16; y += 1) {
      for (let x = x0 + 1; x < x0 + 15; x += 1) {
        const i = y * scene.width + x;
        sum += Math.abs(img[i + 1]! - 2 * img[i]! + img[i - 1]!);
      }
    }
    return sum / (16 * 14);
  };
  let tiles = 0;
  let detailedInOriginal = 0;
  let sharpInCopy = 0;
  for (let y = 0; y + 16 <= scene.height; y += 16) {
    for (let x = 0; x + 16 <= scene.width; x += 16) {
      const near = x + 16 > keep.x - 16 && x < keep.x + keep.width + 16 && y + 16 > keep.y - 16 && y < keep.y + keep.height + 16;
      if (near) continue;
      tiles += 1;
      if (detail(orig.data, x, y) >= 3) detailedInOriginal += 1;
      if (detail(copy.data, x, y) >= 3) sharpInCopy += 1;
    }
  }
  expect(tiles).toBeGreaterThan(1000);
  expect(detailedInOriginal).toBeGreaterThan(tiles / 10);
  expect({ sharpInCopy, tiles, detailedInOriginal }).toEqual({ sharpInCopy: 0, tiles, detailedInOriginal });
  // And the child is still themselves.
  const after = await engine.analyse(safe);
  const i = findBox(after.faces.map((f) => f.box), scene.mapBox(original.faces[0]!.box));
  expect(i).not.toBe(-1);
  expect(euclideanDistance(after.faces[i]!.descriptor!, original.faces[0]!.descriptor!)).toBeLessThan(0.5);
});

/** File names inside a zip (its central directory), without unpacking it. */
function zipNames(zip: Buffer): string[] {
  const names: string[] = [];
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let i = zip.indexOf(signature); i >= 0; i = zip.indexOf(signature, i + 4)) {
    const nameLength = zip.readUInt16LE(i + 28);
    names.push(zip.subarray(i + 46, i + 46 + nameLength).toString('utf8'));
  }
  return names;
}

test('when a photo holds children without consent, then no route a parent can reach says who they are or whether they are pupils', async () => {
  const s = await setUpScene({ firstPupilId: 48_101 });
  const others = [s.ids.ben, s.ids.cal, s.ids.dee];
  expect(Math.min(...others)).toBeGreaterThan(48_100);
  const api = await check(s);
  expect(api.status).toBe(201);
  // The same photo through the page without JavaScript, in "only my child" mode.
  const form = await s.parent.agent.post('/check')
    .field('_csrf', s.parent.csrf).field('mode', 'only_my_child').attach('photos', scene.photo, { filename: 'b.jpg', contentType: 'image/jpeg' });
  expect(form.status).toBe(303);
  const pageCheckId = form.headers.location!.split('/').pop()!;
  // The server did tell these faces apart (no consent vs not recognised); the parent must not learn it.
  expect(verdicts(s, api)).toContain('no_consent');
  // "Only my child" compared faces with Amy's references only: no other pupil was even matched.
  const onlyMine = s.world.ctx.checks.get(s.parent.id, pageCheckId).photos[0]!;
  expect(onlyMine.ok && [...new Set(onlyMine.faces.map((f) => f.verdict))].sort()).toEqual(['own_child', 'unknown']);

  const bodies: Array<[string, string]> = [['POST /api/checks', JSON.stringify(api.body)]];
  for (const id of [api.body.id as string, pageCheckId]) {
    for (const url of [`/api/checks/${id}`, `/checks/${id}`, `/checks/${id}/card`, `/checks/${id}/card?n=3`]) {
      const res = await s.parent.agent.get(url).expect(200);
      bodies.push([url, res.type.includes('json') ? JSON.stringify(res.body) : res.text]);
    }
    bodies.push([`/api/checks/${id}/zip`, zipNames(await downloadBinary(s.parent, `/api/checks/${id}/zip`)).join('\n')]);
  }
  bodies.push(['/api/checks/zip', zipNames(await downloadBinary(s.parent, `/api/checks/zip?ids=${api.body.id},${pageCheckId}`)).join('\n')]);
  for (const url of ['/', '/check', '/check?mode=only_my_child', '/guidance', '/api/me/children', '/api/auth/me', '/api/tokens']) {
    const res = await s.parent.agent.get(url).redirects(3);
    expect(res.status).toBe(200);
    bodies.push([url, res.type.includes('json') ? JSON.stringify(res.body) : res.text]);
  }

  expect(bodies.length).toBeGreaterThan(15);
  for (const [url, body] of bodies) {
    expect([url, body]).not.toEqual([url, expect.stringMatching(/no_consent|consented|"verdict"|\bunknown\b|\b(Ben|Cal|Dee)\b/)]);
    for (const id of others) expect([url, body.includes(String(id))]).toEqual([url, false]);
  }
  // The office keeps aggregate counts of how faces were decided (audit), never per face.
  const audited = s.world.ctx.audit.list({ action: 'check.completed', actorId: s.parent.id }).map((e) => e.details);
  expect(audited).toContainEqual(expect.objectContaining({ photos: 1, own_child: 1, consented: 1, no_consent: 1 }));
  // The parent's own child is named (first name only) where the result is shown.
  expect(bodies.find(([url]) => url === `/checks/${api.body.id}`)![1]).toContain('Your child Amy');
});
