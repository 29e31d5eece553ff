import { templateAad } from '../../src/features/register/templates';
import sharp from 'sharp';
import { createFaceEngine, euclideanDistance } from '../../src/features/faces';
import type { Analysis, Box, FaceEngine } from '../../src/features/faces/types';
import { referenceConsistency } from '../../src/features/register/references.service';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { cropFace, sample } from '../helpers/photos';
import { auditActions, biometric, createPupil, insertFakeReference, post, referenceCount } from './factories';

// The real engine on face-api's sample5 (five faces, 1920 px), one engine for the whole file.
let engine: FaceEngine;
let scene: Analysis;
let oneFace: Buffer;

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  scene = await engine.analyse(sample(5));
  // The five people; weak places that may be faces are left out.
  scene = { ...scene, faces: scene.faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x) };
  oneFace = await cropFace(sample(5), scene.faces[0]!.box);
});
afterAll(() => engine.close());

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld({ engine });
  office = await signIn(world, 'admin');
});

async function consentedPupil() {
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  return pupil;
}

const enrol = (pupilId: number, photo: Buffer, filename = 'reference.jpg') =>
  office.agent.post(`/api/pupils/${pupilId}/references`).set('x-csrf-token', office.csrf).attach('photo', photo, filename);

/** The smallest region holding both boxes, with a margin. */
async function cropBoth(photo: Buffer, a: Box, b: Box): Promise<Buffer> {
  const left = Math.max(0, Math.round(Math.min(a.x, b.x) - 40));
  const top = Math.max(0, Math.round(Math.min(a.y, b.y) - 40));
  const right = Math.round(Math.max(a.x + a.width, b.x + b.width) + 40);
  const bottom = Math.round(Math.max(a.y + a.height, b.y + b.height) + 40);
  const meta = await sharp(photo).metadata();
  return sharp(photo).extract({ left, top, width: Math.min(right, meta.width!) - left, height: Math.min(bottom, meta.height!) - top }).jpeg().toBuffer();
}

describe('reference photos', () => {
  test('when a one-face photo is enrolled, then only an encrypted descriptor and thumbnail are stored', async () => {
    const pupil = await consentedPupil();
    const res = await enrol(pupil.id, oneFace).expect(201);
    expect(res.body.reference).toMatchObject({ id: expect.any(Number), faceWidth: expect.any(Number), quality: expect.any(Number) });
    expect(res.body.reference.faceWidth).toBeGreaterThanOrEqual(80);
    expect(JSON.stringify(res.body)).not.toMatch(/descriptor/);

    const row = world.ctx.db.prepare('SELECT * FROM reference_faces WHERE id = ?').get(res.body.reference.id) as { descriptor_enc: Buffer; thumbnail_enc: Buffer };
    const expected = (await engine.analyse(oneFace)).faces[0]!.descriptor!;
    const plain = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
    expect(row.descriptor_enc.equals(plain)).toBe(false);
    expect(row.descriptor_enc.includes(plain.subarray(0, 16))).toBe(false);
    // Bound to this pupil (AES-GCM associated data): it opens only as this pupil's descriptor.
    expect(() => world.ctx.cipher.decrypt(row.descriptor_enc)).toThrow();
    const decrypted = world.ctx.cipher.decrypt(row.descriptor_enc, templateAad(pupil.id, 'descriptor'));
    expect(decrypted.length).toBe(128 * 4);
    const stored = new Float32Array(new Uint8Array(decrypted).buffer);
    expect(euclideanDistance(stored, expected)).toBeLessThan(1e-6);
    expect(row.thumbnail_enc.subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(false); // not a plain JPEG

    const thumb = await office.agent.get(`/api/pupils/${pupil.id}/references/${res.body.reference.id}/thumbnail`).expect(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect(thumb.headers['cache-control']).toBe('no-store');
    expect(await sharp(thumb.body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 96, height: 96 });

    // The gallery for photo checks now recognises the pupil in the original group photo.
    const gallery = world.ctx.register.galleryForChecks();
    expect(gallery.size).toBe(1);
    expect(gallery.match(scene.faces[0]!.descriptor!, { threshold: 0.5, margin: 0.08 })?.pupilId).toBe(pupil.id);
    expect(gallery.match(scene.faces[2]!.descriptor!, { threshold: 0.5, margin: 0.08 })).toBeNull();
    expect(auditActions(world, pupil.id).map((a) => a.action)).toEqual(expect.arrayContaining(['reference_face.enrolled', 'reference_face.viewed']));
  });

  test('when the photo shows two faces, then it is refused as several_faces', async () => {
    const pupil = await consentedPupil();
    const [a, b] = [scene.faces[0]!, scene.faces[1]!];
    const res = await enrol(pupil.id, await cropBoth(sample(5), a.box, b.box)).expect(422);
    expect(res.body.error).toMatchObject({ code: 'several_faces', message: expect.stringMatching(/more than one face/i) });
    expect(referenceCount(world, pupil.id)).toBe(0);
  });

  test('when the face is tiny, then it is refused as face_too_small', async () => {
    const pupil = await consentedPupil();
    // A distant child: the face ~50 px wide in a 600 px photo (the minimum is 100 px).
    const meta = await sharp(oneFace).metadata();
    const small = await sharp(oneFace).resize(Math.round((meta.width! * 50) / scene.faces[0]!.box.width)).toBuffer();
    const distant = await sharp(small).extend({ top: 200, bottom: 200, left: 250, right: 250, background: '#dddddd' }).jpeg().toBuffer();
    const res = await enrol(pupil.id, distant).expect(422);
    expect(res.body.error).toMatchObject({ code: 'face_too_small', message: expect.stringMatching(/too small/) });
  });

  test('when the upload is not an image, then it is refused as unsupported', async () => {
    const pupil = await consentedPupil();
    const res = await enrol(pupil.id, Buffer.from('just some text, not a photo'), 'photo.jpg').expect(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  test('when biometric consent is missing, then enrolment is refused before the engine runs', async () => {
    const pupil = await createPupil(office);
    const res = await enrol(pupil.id, oneFace).expect(409);
    expect(res.body.error.code).toBe('biometric_consent_required');
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true, false, true)).expect(201);
    expect((await enrol(pupil.id, oneFace).expect(409)).body.error.code).toBe('biometric_consent_required');
    await enrol(999, oneFace).expect(404);
  });

  test('when a new reference does not look like the pupil\'s other references, then it is refused with a reason and nothing is stored', async () => {
    const pupil = await consentedPupil();
    await enrol(pupil.id, oneFace).expect(201);
    // The same child again (another crop, a little darker): agrees, accepted.
    const again = await sharp(await cropFace(sample(5), scene.faces[0]!.box, 0.4)).modulate({ brightness: 0.95 }).toBuffer();
    await enrol(pupil.id, again).expect(201);
    // Another child's photo filed under this pupil.
    const someoneElse = await cropFace(sample(5), scene.faces[2]!.box);
    const res = await enrol(pupil.id, someoneElse).expect(422);
    expect(res.body.error).toMatchObject({ code: 'reference_disagrees', message: expect.stringMatching(/right child/) });
    expect(referenceCount(world, pupil.id)).toBe(2);
    expect(auditActions(world, pupil.id).map((a) => a.action)).toContain('reference_face.refused');
  });

  test('when a new reference would match another pupil within the margin, then it is refused, on the API and on the office form', async () => {
    const amy = await consentedPupil();
    await enrol(amy.id, oneFace).expect(201);
    // Amy's face offered as the FIRST reference of another pupil (a twin, or the wrong file).
    const other = await consentedPupil();
    const res = await enrol(other.id, await cropFace(sample(5), scene.faces[0]!.box, 0.4)).expect(422);
    expect(res.body.error.code).toBe('reference_matches_other_pupil');
    expect(referenceCount(world, other.id)).toBe(0);
    // A different child is accepted for them.
    await enrol(other.id, await cropFace(sample(5), scene.faces[2]!.box)).expect(201);

    const third = await consentedPupil();
    const page = await office.agent.post(`/office/pupils/${third.id}/references`)
      .field('_csrf', office.csrf).attach('photo', oneFace, 'reference.jpg');
    expect(page.status).toBe(422);
    expect(page.text).toContain('too close to another pupil');
    expect(referenceCount(world, third.id)).toBe(0);
  });

  test.each<[string, string | null, Array<[number, number]>]>([
    ['a first reference far from everyone', null, [[2, 0.9]]],
    ['a first reference under the threshold of another pupil', 'reference_matches_other_pupil', [[2, 0.45]]],
    ['a reference that agrees and is clearly closer to its pupil', null, [[1, 0.3], [2, 0.45]]],
    ['a reference that agrees but another pupil is within the margin', 'reference_matches_other_pupil', [[1, 0.4], [2, 0.45]]],
    ['a reference at the agreement limit', 'reference_disagrees', [[1, 0.55]]],
    ['a reference just inside the agreement limit', null, [[1, 0.54]]],
  ])('when checking %s, then the problem is %p', (_case, problem, distances) => {
    expect(referenceConsistency(new Map(distances), 1, { threshold: 0.5, margin: 0.08 })).toBe(problem);
  });

  test('when a pupil has five references, then a sixth is refused', async () => {
    const pupil = await consentedPupil();
    for (let i = 0; i < 5; i += 1) insertFakeReference(world, pupil.id);
    expect((await enrol(pupil.id, oneFace).expect(409)).body.error.code).toBe('reference_limit');
  });

  test('when the office deletes a reference, then its row is gone and only an admin could do it', async () => {
    const pupil = await consentedPupil();
    const refId = insertFakeReference(world, pupil.id);
    const organiser = await signIn(world, 'organiser');
    await organiser.agent.delete(`/api/pupils/${pupil.id}/references/${refId}`).set('x-csrf-token', organiser.csrf).expect(403);
    await organiser.agent.get(`/api/pupils/${pupil.id}/references/${refId}/thumbnail`).expect(403);
    await office.agent.delete(`/api/pupils/${pupil.id}/references/${refId}`).set('x-csrf-token', office.csrf).expect(204);
    expect(referenceCount(world, pupil.id)).toBe(0);
    await office.agent.delete(`/api/pupils/${pupil.id}/references/${refId}`).set('x-csrf-token', office.csrf).expect(404);
    expect(world.ctx.register.galleryForChecks().size).toBe(0);
  });
});
