import fs from 'node:fs';
import path from 'node:path';
import { createFaceEngine } from '../../src/features/faces';
import type { Analysis, FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, signIn, type SignedIn } from '../helpers/context';
import { cropFace, sample } from '../helpers/photos';
import { addPupil, enrol, giveBiometricConsent } from '../helpers/register';

// Defect 6: when a pupil's consent ceases, stored safe copies in which they are visible go at once.
// Real engine on sample5 (five faces): Ben (face 1) is enrolled with photo consent and stays
// visible in another parent's check; an unrelated check (sample1, nobody enrolled) must survive.

let engine: FaceEngine;
let original: Analysis;

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  const analysis = await engine.analyse(sample(5));
  original = { ...analysis, faces: analysis.faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x) };
  expect(original.faces.length).toBe(5);
});
afterAll(() => engine.close());

const check = async (user: SignedIn, photo: Buffer) => {
  const res = await user.agent.post('/api/checks').set('x-csrf-token', user.csrf)
    .attach('photos', photo, { filename: 'p.jpg', contentType: 'image/jpeg' }).expect(201);
  return res.body as { id: string; photos: Array<{ counts: Record<string, number>; safeCopyUrl: string }> };
};

test('when photo or biometric consent ceases, then stored checks in which the pupil is visible are deleted at once, and others survive', async () => {
  const world = createTestWorld({ engine });
  const office = await signIn(world, 'admin');
  const parent = await signIn(world, 'parent');
  const other = await signIn(world, 'parent');
  const ben = await addPupil(office, 'Ben');
  await giveBiometricConsent(office, ben);
  expect((await enrol(office, ben, await cropFace(sample(5), original.faces[1]!.box))).status).toBe(201);
  const mum = { kind: 'named', name: 'Ben’s mum, paper form' };
  await office.agent.post(`/api/pupils/${ben}/consent-positions`).set('x-csrf-token', office.csrf)
    .send({ person: mum, consent: 'photo', position: 'consents' }).expect(201);

  const showing = await check(parent, sample(5));
  expect(showing.photos[0]!.counts.visible).toBe(1); // Ben stays visible
  const unrelated = await check(other, sample(1));
  expect(unrelated.photos[0]!.counts.visible).toBe(0);
  // The server keeps who is visible; the parent never receives it.
  const stored = JSON.parse(fs.readFileSync(path.join(world.config.UPLOADS_DIR, showing.id, 'check.json'), 'utf8'));
  expect(stored.visiblePupilIds).toEqual([ben]);
  const sent = await parent.agent.get(`/api/checks/${showing.id}`).expect(200);
  expect(JSON.stringify(sent.body)).not.toContain('visiblePupilIds');
  await parent.agent.get(showing.photos[0]!.safeCopyUrl).expect(200);

  const withdrawn = await office.agent.post(`/api/pupils/${ben}/consent-positions`).set('x-csrf-token', office.csrf)
    .send({ person: mum, consent: 'photo', position: 'withdrawn' }).expect(201);
  expect(withdrawn.body).toMatchObject({ photoConsent: { current: false }, deletedChecks: 1 });
  await parent.agent.get(`/api/checks/${showing.id}`).expect(404);
  await parent.agent.get(showing.photos[0]!.safeCopyUrl).expect(404);
  expect(fs.existsSync(path.join(world.config.UPLOADS_DIR, showing.id))).toBe(false);
  await other.agent.get(`/api/checks/${unrelated.id}`).expect(200);
  expect(world.ctx.audit.list({ subjectType: 'pupil', subjectId: ben }).find((e) => e.action === 'checks.deleted'))
    .toMatchObject({ details: { count: 1, reason: 'consent_ceased' } });

  // Biometric: Ben's own parent sees Ben as their own child; the child's objection removes that copy too.
  await office.agent.post(`/api/pupils/${ben}/guardians`).set('x-csrf-token', office.csrf).send({ userId: parent.id }).expect(201);
  const own = await check(parent, sample(5));
  expect(own.photos[0]!.counts.own_child).toBe(1);
  const objected = await office.agent.post(`/api/pupils/${ben}/consent-positions`).set('x-csrf-token', office.csrf)
    .send({ person: { kind: 'child' }, consent: 'biometric', position: 'objects' }).expect(201);
  expect(objected.body).toMatchObject({ biometricConsent: { holds: false }, deletedReferences: 1, deletedChecks: 1 });
  await parent.agent.get(`/api/checks/${own.id}`).expect(404);
  await other.agent.get(`/api/checks/${unrelated.id}`).expect(200);
});
