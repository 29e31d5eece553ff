import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { auditActions, biometric, createPupil, insertFakeReference, post, referenceCount } from './factories';

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld(); // clock: 2026-03-02T09:00Z
  office = await signIn(world, 'admin');
});

const DAY = 86_400_000;

describe('photo-sharing consent', () => {
  test('when consent is granted without dates, then it is given today and reviewed a year later', async () => {
    const pupil = await createPupil(office);
    const res = await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother, paper form' }).expect(201);
    expect(res.body).toMatchObject({ photoConsent: { status: 'granted', givenOn: '2026-03-02', reviewOn: '2027-03-02', recordedBy: office.id }, current: true });
    const refused = await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'refused', givenBy: 'Father' }).expect(201);
    expect(refused.body).toMatchObject({ photoConsent: { status: 'refused', reviewOn: null }, current: false });
  });

  test('when consent changes, then history is appended newest first and rows cannot be rewritten', async () => {
    const pupil = await createPupil(office);
    for (const status of ['not_asked', 'granted', 'refused', 'granted'] as const) {
      await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status, givenBy: 'Mother' }).expect(201);
      world.clock.advance(DAY);
    }
    const detail = (await office.agent.get(`/api/pupils/${pupil.id}`).expect(200)).body;
    expect(detail.photoConsents.map((c: { status: string }) => c.status)).toEqual(['granted', 'refused', 'granted', 'not_asked']);
    expect(detail.photoConsent).toEqual({ state: 'granted', current: true });
    expect(() => world.ctx.db.prepare("UPDATE photo_consents SET status = 'granted'").run()).toThrow(/append-only/);
    expect(() => world.ctx.db.prepare('UPDATE biometric_consents SET parent_consent = 1').run()).not.toThrow(); // no rows: no trigger
    expect(auditActions(world, pupil.id).filter((a) => a.action === 'photo_consent.recorded')).toHaveLength(4);
  });

  test('when the review date passes, then the grant expires and no longer counts', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', reviewOn: '2026-03-10' }).expect(201);
    const state = async () => (await office.agent.get(`/api/pupils/${pupil.id}`).expect(200)).body.photoConsent;
    world.clock.set('2026-03-10T23:00:00Z');
    expect(await state()).toEqual({ state: 'granted', current: true });
    expect(world.ctx.register.photoConsentCurrent([pupil.id, 999])).toEqual(new Map([[pupil.id, true], [999, false]]));
    world.clock.set('2026-03-11T00:30:00Z');
    expect(await state()).toEqual({ state: 'expired', current: false });
    expect(world.ctx.register.photoConsentCurrent([pupil.id]).get(pupil.id)).toBe(false);
    const expired = await office.agent.get('/api/pupils?photoConsent=expired').expect(200);
    expect(expired.body.pupils.map((p: { id: number }) => p.id)).toEqual([pupil.id]);
  });

  test('when a pupil leaves, then their photo consent stops counting', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother' }).expect(201);
    await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(200);
    expect(world.ctx.register.photoConsentCurrent([pupil.id]).get(pupil.id)).toBe(false);
  });

  test('when dates are impossible, then the record is refused', async () => {
    const pupil = await createPupil(office);
    const future = await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', givenOn: '2026-03-03' }).expect(400);
    expect(future.body.error.message).toMatch(/future/);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', givenOn: '2026-03-01', reviewOn: '2026-02-01' }).expect(400);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', givenOn: '01/03/2026' }).expect(400);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'maybe', givenBy: 'Mother' }).expect(400);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted' }).expect(400);
    await post(office, '/api/pupils/999/photo-consent', { status: 'granted', givenBy: 'Mother' }).expect(404);
  });
});

describe('biometric consent', () => {
  async function enrolledPupil() {
    const pupil = await createPupil(office);
    const res = await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
    expect(res.body).toMatchObject({ holds: true, deletedReferences: 0 });
    insertFakeReference(world, pupil.id);
    insertFakeReference(world, pupil.id);
    return pupil;
  }

  test.each([
    ['the parent withdraws consent', biometric(false)],
    ['a parent objects', biometric(true, true, false)],
    ['the child objects, even with parental consent', biometric(true, false, true)],
  ])('when %s, then every reference face is deleted at once, with an audit entry', async (_name, body) => {
    const pupil = await enrolledPupil();
    const other = await enrolledPupil();
    expect(world.ctx.register.galleryForChecks().size).toBe(4);
    const res = await post(office, `/api/pupils/${pupil.id}/biometric-consent`, body).expect(201);
    expect(res.body).toMatchObject({ holds: false, deletedReferences: 2, biometricConsent: body });
    expect(referenceCount(world, pupil.id)).toBe(0);
    expect(referenceCount(world, other.id)).toBe(2);
    expect(auditActions(world, pupil.id)).toEqual(expect.arrayContaining([
      { action: 'reference_faces.deleted', details: { count: 2, reason: 'biometric_consent_withdrawn' } },
    ]));
    expect(world.ctx.register.galleryForChecks().size).toBe(2); // rebuilt without them
    const detail = (await office.agent.get(`/api/pupils/${pupil.id}`).expect(200)).body;
    expect(detail.biometricConsent).toEqual({ holds: false });
    expect(detail.biometricConsents).toHaveLength(2);
    expect(detail.references).toEqual([]);
  });

  test('when a pupil leaves, then their reference faces are deleted and the gallery forgets them', async () => {
    const pupil = await enrolledPupil();
    expect(world.ctx.register.galleryForChecks().size).toBe(2);
    const res = await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(200);
    expect(res.body).toMatchObject({ pupil: { status: 'left', leftAt: '2026-03-02T09:00:00.000Z' }, deletedReferences: 2 });
    expect(referenceCount(world, pupil.id)).toBe(0);
    expect(world.ctx.register.galleryForChecks().size).toBe(0);
    expect(auditActions(world, pupil.id).map((a) => a.action)).toEqual(expect.arrayContaining(['reference_faces.deleted', 'pupil.left']));
    await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(409);
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
    const enrol = await office.agent.post(`/api/pupils/${pupil.id}/references`).set('x-csrf-token', office.csrf)
      .attach('photo', Buffer.from('x'), 'a.jpg').expect(409);
    expect(enrol.body.error.code).toBe('biometric_consent_required');
  });

  test('when the detail lists references, then it shows sizes and dates but never descriptors', async () => {
    const pupil = await enrolledPupil();
    const detail = (await office.agent.get(`/api/pupils/${pupil.id}`).expect(200)).body;
    expect(detail.references).toHaveLength(2);
    expect(Object.keys(detail.references[0]).sort()).toEqual(['createdAt', 'createdBy', 'faceWidth', 'id', 'quality']);
  });

  test('when references are stored for a pupil without consent, then the gallery still leaves them out', async () => {
    const pupil = await createPupil(office);
    insertFakeReference(world, pupil.id); // e.g. restored from an old backup
    expect(world.ctx.register.galleryForChecks().size).toBe(0);
  });
});
