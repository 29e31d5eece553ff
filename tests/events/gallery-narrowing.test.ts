import { createFaceEngine, euclideanDistance } from '../../src/features/faces';
import type { Analysis, FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, signIn } from '../helpers/context';
import { cropFace, findBox, phonePhoto, sample } from '../helpers/photos';
import { addPupil, enrol, giveBiometricConsent, setPhotoConsent } from '../helpers/register';

// An event narrows the gallery: its participants are matched as usual, while a pupil who is not
// taking part needs a clearer match (threshold and margin stricter by MATCH_MARGIN + 0.04).
let engine: FaceEngine;
let original: Analysis;
let scene: Awaited<ReturnType<typeof phonePhoto>>;
let checked: Analysis;

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  original = await engine.analyse(sample(5));
  // The five people; weak places that may be faces are left out.
  original = { ...original, faces: original.faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x) };
  scene = await phonePhoto(sample(5));
  checked = await engine.analyse(scene.photo);
});
afterAll(() => engine.close());

/** Distance between a face enrolled from the reference crop and the same face in the checked photo. */
async function genuineDistance(face: number): Promise<number> {
  const ref = await engine.analyse(await cropFace(sample(5), original.faces[face]!.box));
  const i = findBox(checked.faces.map((f) => f.box), scene.mapBox(original.faces[face]!.box));
  return euclideanDistance(ref.faces[0]!.descriptor!, checked.faces[i]!.descriptor!);
}

test('when a photo is checked for an event, then a participant is identified and a non-participant with a marginal match stays blurred', async () => {
  const [d0, d1] = [await genuineDistance(0), await genuineDistance(1)];
  // The outsider is the face whose genuine match is weaker; the threshold sits just above it, so
  // the outsider matches without the event and must not with it.
  const [participantFace, outsiderFace] = d0 <= d1 ? [0, 1] : [1, 0];
  const threshold = Math.max(d0, d1) + 0.05;
  const world = createTestWorld({ engine, config: { MATCH_THRESHOLD: threshold.toFixed(3), MATCH_MARGIN: '0.08' } });
  const office = await signIn(world, 'admin');
  const parent = await signIn(world, 'parent'); // a parent of neither child
  const participant = await addPupil(office, 'Pat', { className: '3B' });
  const outsider = await addPupil(office, 'Oli', { className: '4C', yearGroup: 'Y4' });
  for (const [pupil, face] of [[participant, participantFace], [outsider, outsiderFace]] as const) {
    await giveBiometricConsent(office, pupil);
    expect((await enrol(office, pupil, await cropFace(sample(5), original.faces[face]!.box))).status).toBe(201);
    await setPhotoConsent(office, pupil, 'granted');
  }
  const event = await office.agent.post('/api/events').set('x-csrf-token', office.csrf)
    .send({ name: 'Spring concert', startsAt: '2026-03-20T14:00:00Z', place: 'Hall', participants: { classes: ['3B'] } }).expect(201);
  const eventId = (event.body.event?.id ?? event.body.id) as number;

  // The detailed verdict stays server-side: read it from the stored check.
  const verdictOf = (response: { id: string }, face: number) => {
    const report = world.ctx.checks.get(parent.id, response.id).photos[0]!;
    if (!report.ok) throw new Error('photo failed');
    return report.faces[findBox(report.faces.map((f) => f.box), scene.mapBox(original.faces[face]!.box))]!.verdict;
  };
  const check = (fields: Record<string, string>) => {
    const req = parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req.attach('photos', scene.photo, { filename: 'a.jpg', contentType: 'image/jpeg' }).expect(201);
  };

  const plain = (await check({})).body;
  expect(verdictOf(plain, participantFace)).toBe('consented');
  expect(verdictOf(plain, outsiderFace)).toBe('consented');

  const forEvent = (await check({ eventId: String(eventId) })).body;
  expect(forEvent.eventId).toBe(eventId);
  expect(verdictOf(forEvent, participantFace)).toBe('consented');
  expect(verdictOf(forEvent, outsiderFace)).toBe('unknown');

  await parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf).field('eventId', '9999')
    .attach('photos', scene.photo, { filename: 'a.jpg', contentType: 'image/jpeg' }).expect(404);
});
