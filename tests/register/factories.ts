import type { TestWorld, SignedIn } from '../helpers/context';
import { sealTemplate } from '../../src/features/register/templates';

// Register factories for tests that need state the API builds slowly (or only with the engine).

const csrf = (u: SignedIn) => ({ 'x-csrf-token': u.csrf });

export async function createPupil(office: SignedIn, overrides: Partial<{ firstName: string; lastName: string; className: string; yearGroup: string; upn: string }> = {}) {
  const res = await office.agent.post('/api/pupils').set(csrf(office))
    .send({ firstName: 'Ada', lastName: 'Lovelace', className: '4C', yearGroup: 'Y4', ...overrides }).expect(201);
  return res.body.pupil as { id: number; firstName: string; lastName: string; className: string; yearGroup: string };
}

export function post(user: SignedIn, url: string, body: object) {
  return user.agent.post(url).set(csrf(user)).send(body);
}

export const biometric = (parentConsent: boolean, parentObjection = false, childObjection = false) =>
  ({ parentConsent, parentObjection, childObjection, givenBy: 'Mother, paper form' });

/** A stored reference face without running the engine: a random descriptor (and, if given, a
 *  thumbnail) sealed as the register seals them: bound to the pupil, under the current key. */
export function insertFakeReference(world: TestWorld, pupilId: number, thumbnail?: Buffer): number {
  const descriptor = Float32Array.from({ length: 128 }, () => Math.random() - 0.5);
  const { cipher } = world.ctx;
  const info = world.ctx.db.prepare(
    'INSERT INTO reference_faces (pupil_id, descriptor_enc, thumbnail_enc, face_width, quality, created_at, key_id) VALUES (?, ?, ?, 120, 0.9, ?, ?)',
  ).run(pupilId, sealTemplate(cipher, pupilId, 'descriptor', Buffer.from(descriptor.buffer)),
    thumbnail ? sealTemplate(cipher, pupilId, 'thumbnail', thumbnail) : null, new Date().toISOString(), cipher.keyId);
  world.ctx.register.invalidateGallery();
  return Number(info.lastInsertRowid);
}

export const referenceCount = (world: TestWorld, pupilId: number): number =>
  (world.ctx.db.prepare('SELECT COUNT(*) AS n FROM reference_faces WHERE pupil_id = ?').get(pupilId) as { n: number }).n;

export const auditActions = (world: TestWorld, pupilId: number) =>
  world.ctx.audit.list({ subjectType: 'pupil', subjectId: pupilId }).map((e) => ({ action: e.action, details: e.details }));
