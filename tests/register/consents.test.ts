import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { auditActions, biometric, createPupil, insertFakeReference, post, referenceCount } from './factories';

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld(); // clock: 2026-03-02T09:00Z
  office = await signIn(world, 'admin');
});

const DAY = 86_400_000;
type Person = { kind: 'child' } | { kind: 'named'; name: string } | { kind: 'parent_account'; userId: number };
const MUM: Person = { kind: 'named', name: 'Mum (paper form)' };
const DAD: Person = { kind: 'named', name: 'Dad (paper form)' };
const CHILD: Person = { kind: 'child' };

const record = (pupilId: number, person: Person, consent: 'photo' | 'biometric', position: string, extra: object = {}) =>
  post(office, `/api/pupils/${pupilId}/consent-positions`, { person, consent, position, ...extra });
const state = async (pupilId: number) => {
  const body = (await office.agent.get(`/api/pupils/${pupilId}/consents`).expect(200)).body;
  return { photo: body.photoConsent.state as string, current: body.photoConsent.current as boolean, holds: body.biometricConsent.holds as boolean };
};

describe('consent sequences through HTTP', () => {
  type Step = [Person, 'consents' | 'objects' | 'withdrawn'];
  test.each<[string, Step[], string, boolean]>([
    ['consent then objection', [[MUM, 'consents'], [DAD, 'objects']], 'refused', false],
    ['objection then another parent’s consent', [[DAD, 'objects'], [MUM, 'consents']], 'refused', false],
    ['child refusal then parent consent', [[CHILD, 'objects'], [MUM, 'consents']], 'refused', false],
    ['withdrawal by another person', [[DAD, 'objects'], [MUM, 'withdrawn'], [MUM, 'consents']], 'refused', false],
    ['withdrawal by the same person', [[DAD, 'objects'], [MUM, 'consents'], [DAD, 'withdrawn']], 'granted', true],
  ])('when the sequence is %s, then both consents follow the rules', async (_name, steps, photoState, allowed) => {
    const pupil = await createPupil(office);
    for (const [person, position] of steps) {
      await record(pupil.id, person, 'photo', position).expect(201);
      await record(pupil.id, person, 'biometric', position).expect(201);
      world.clock.advance(DAY);
    }
    expect(await state(pupil.id)).toEqual({ photo: photoState, current: allowed, holds: allowed });
    expect(world.ctx.register.photoConsentCurrent([pupil.id]).get(pupil.id)).toBe(allowed);
  });

  test('when the review date passes, then the consent expires, and a pupil who left never counts', async () => {
    const pupil = await createPupil(office);
    await record(pupil.id, MUM, 'photo', 'consents', { reviewOn: '2026-03-10' }).expect(201);
    world.clock.set('2026-03-10T23:00:00Z');
    expect(await state(pupil.id)).toMatchObject({ photo: 'granted', current: true });
    world.clock.set('2026-03-11T00:30:00Z');
    expect(await state(pupil.id)).toMatchObject({ photo: 'expired', current: false });
    const expired = await office.agent.get('/api/pupils?photoConsent=expired').expect(200);
    expect(expired.body.pupils.map((p: { id: number }) => p.id)).toEqual([pupil.id]);

    const leaver = await createPupil(office, { firstName: 'Lee' });
    await record(leaver.id, MUM, 'photo', 'consents').expect(201);
    await post(office, `/api/pupils/${leaver.id}/leave`, {}).expect(200);
    expect(await state(leaver.id)).toMatchObject({ current: false });
  });

  test('when the office reads a pupil, then it sees every person’s latest position and the history, newest first', async () => {
    const parent = await signIn(world, 'parent', { name: 'Pat Parent' });
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
    await record(pupil.id, { kind: 'parent_account', userId: parent.id }, 'photo', 'consents').expect(201);
    await record(pupil.id, MUM, 'photo', 'objects', { note: 'Safeguarding' }).expect(201);
    await record(pupil.id, CHILD, 'biometric', 'objects').expect(201);
    const body = (await office.agent.get(`/api/pupils/${pupil.id}/consents`).expect(200)).body;
    expect(body.people).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'child', biometric: expect.objectContaining({ position: 'objects' }), photo: null }),
      expect.objectContaining({ kind: 'parent_account', name: 'Pat Parent', userId: parent.id, hasParentalResponsibility: true,
        photo: expect.objectContaining({ position: 'consents', source: 'paper', reviewOn: '2027-03-02' }) }),
      expect.objectContaining({ kind: 'named', name: 'Mum (paper form)', photo: expect.objectContaining({ position: 'objects', note: 'Safeguarding' }) }),
    ]));
    expect(body.positions.map((p: { consent: string; position: string }) => `${p.consent}:${p.position}`))
      .toEqual(['biometric:objects', 'photo:objects', 'photo:consents']);
    expect(body.photoConsent).toMatchObject({ state: 'refused', current: false });
    expect(body.biometricConsent).toMatchObject({ holds: false, childObjection: true });
    expect(() => world.ctx.db.prepare("UPDATE consent_positions SET position = 'consents'").run()).toThrow(/append-only/);
    expect(auditActions(world, pupil.id).filter((a) => a.action === 'consent_position.recorded')).toHaveLength(3);
  });

  test('when a parent account is unlinked, then their consent stops counting but their objection stands', async () => {
    const parent = await signIn(world, 'parent');
    const other = await signIn(world, 'parent');
    const pupil = await createPupil(office);
    for (const p of [parent, other]) await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: p.id }).expect(201);
    await record(pupil.id, { kind: 'parent_account', userId: parent.id }, 'photo', 'consents').expect(201);
    expect(await state(pupil.id)).toMatchObject({ current: true });
    await office.agent.delete(`/api/pupils/${pupil.id}/guardians/${parent.id}`).set('x-csrf-token', office.csrf).expect(204);
    expect(await state(pupil.id)).toMatchObject({ photo: 'not_asked', current: false });
    await record(pupil.id, { kind: 'parent_account', userId: other.id }, 'photo', 'objects').expect(201);
    await office.agent.delete(`/api/pupils/${pupil.id}/guardians/${other.id}`).set('x-csrf-token', office.csrf).expect(204);
    await record(pupil.id, MUM, 'photo', 'consents').expect(201);
    expect(await state(pupil.id)).toMatchObject({ photo: 'refused', current: false });
  });

  test('when a position is impossible, then it is refused with a clear reason and nothing is stored', async () => {
    const pupil = await createPupil(office);
    const parent = await signIn(world, 'parent');
    expect((await record(pupil.id, CHILD, 'photo', 'consents').expect(400)).body.error.message).toMatch(/not consent/);
    expect((await record(pupil.id, MUM, 'biometric', 'consents', { source: 'office' }).expect(400)).body.error.message).toMatch(/writing/);
    expect((await record(pupil.id, MUM, 'photo', 'consents', { givenOn: '2026-03-03' }).expect(400)).body.error.message).toMatch(/future/);
    await record(pupil.id, MUM, 'photo', 'consents', { givenOn: '2026-03-01', reviewOn: '2026-02-01' }).expect(400);
    await record(pupil.id, MUM, 'photo', 'objects', { reviewOn: '2027-02-01' }).expect(400);
    await record(pupil.id, MUM, 'photo', 'maybe').expect(400);
    await record(pupil.id, { kind: 'parent_account', userId: parent.id }, 'photo', 'consents').expect(404); // not linked
    await post(office, `/api/pupils/${pupil.id}/consent-positions`, { person: { personId: 999 }, consent: 'photo', position: 'consents' }).expect(404);
    await record(999, MUM, 'photo', 'consents').expect(404);
    await post(parent, `/api/pupils/${pupil.id}/consent-positions`, { person: MUM, consent: 'photo', position: 'consents' }).expect(403);
    expect(world.ctx.db.prepare('SELECT COUNT(*) AS n FROM consent_positions').get()).toEqual({ n: 0 });
  });
});

describe('the older snapshot forms, read as one named person’s position', () => {
  test('when one parent objects and later the other parent’s biometric form says only "consent", then the objection still stands', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, { ...biometric(false, true), givenBy: 'Father, letter' }).expect(201);
    const later = await post(office, `/api/pupils/${pupil.id}/biometric-consent`, { ...biometric(true), givenBy: 'Mother, paper form' }).expect(201);
    expect(later.body).toMatchObject({ holds: false, biometricConsent: { parentConsent: true, parentObjection: true } });
  });

  test('when the child refused and a later form leaves "child objects" unticked, then the refusal still stands', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true, false, true)).expect(201);
    const later = await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
    expect(later.body).toMatchObject({ holds: false, biometricConsent: { childObjection: true } });
  });

  test('when a resident parent refuses photo sharing and the other parent’s "yes" arrives later, then the child stays hidden', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'refused', givenBy: 'Mother (resident), safeguarding' }).expect(201);
    const later = await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Father' }).expect(201);
    expect(later.body).toMatchObject({ photoConsent: { status: 'granted', givenBy: 'Father', reviewOn: '2027-03-02' }, current: false });
    expect(world.ctx.register.photoConsentCurrent([pupil.id]).get(pupil.id)).toBe(false);
  });

  test('when the same named person changes their answer, then their latest answer counts', async () => {
    const pupil = await createPupil(office);
    for (const status of ['not_asked', 'granted', 'refused', 'granted'] as const) {
      await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status, givenBy: 'Mother' }).expect(201);
      world.clock.advance(DAY);
    }
    expect(await state(pupil.id)).toMatchObject({ photo: 'granted', current: true });
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', givenOn: '01/03/2026' }).expect(400);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted' }).expect(400);
  });
});

describe('biometric consent ceasing', () => {
  async function enrolledPupil() {
    const pupil = await createPupil(office);
    await record(pupil.id, MUM, 'biometric', 'consents').expect(201);
    insertFakeReference(world, pupil.id);
    insertFakeReference(world, pupil.id);
    return pupil;
  }

  test.each<[string, Person, string]>([
    ['the consenting parent withdraws', MUM, 'withdrawn'],
    ['another parent objects', DAD, 'objects'],
    ['the child objects', CHILD, 'objects'],
  ])('when %s, then every reference face is deleted at once, with an audit entry', async (_name, person, position) => {
    const pupil = await enrolledPupil();
    const other = await enrolledPupil();
    expect(world.ctx.register.galleryForChecks().size).toBe(4);
    const res = await record(pupil.id, person, 'biometric', position).expect(201);
    expect(res.body).toMatchObject({ biometricConsent: { holds: false }, deletedReferences: 2 });
    expect(referenceCount(world, pupil.id)).toBe(0);
    expect(referenceCount(world, other.id)).toBe(2);
    expect(auditActions(world, pupil.id)).toEqual(expect.arrayContaining([
      { action: 'reference_faces.deleted', details: { count: 2, reason: 'biometric_consent_withdrawn' } },
    ]));
    expect(world.ctx.register.galleryForChecks().size).toBe(2);
    const detail = (await office.agent.get(`/api/pupils/${pupil.id}`).expect(200)).body;
    expect(detail.biometricConsent).toMatchObject({ holds: false });
    expect(detail.references).toEqual([]);
  });

  test('when a pupil leaves, then their reference faces are deleted and the gallery forgets them', async () => {
    const pupil = await enrolledPupil();
    const res = await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(200);
    expect(res.body).toMatchObject({ pupil: { status: 'left' }, deletedReferences: 2 });
    expect(world.ctx.register.galleryForChecks().size).toBe(0);
    await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(409);
    const enrol = await office.agent.post(`/api/pupils/${pupil.id}/references`).set('x-csrf-token', office.csrf)
      .attach('photo', Buffer.from('x'), 'a.jpg').expect(409);
    expect(enrol.body.error.code).toBe('biometric_consent_required');
  });

  test('when references are stored for a pupil without consent, then the gallery leaves them out and the next start deletes them', async () => {
    const pupil = await createPupil(office);
    insertFakeReference(world, pupil.id); // e.g. restored from an old backup
    expect(world.ctx.register.galleryForChecks().size).toBe(0);
    world.ctx.register.invalidateGallery();
    const restarted = createTestWorld({ config: { DATA_DIR: world.config.DATA_DIR, UPLOADS_DIR: world.config.UPLOADS_DIR } });
    expect(referenceCount(restarted, pupil.id)).toBe(0);
  });
});

describe('consent sequences through the service', () => {
  type Step = [Person, 'photo' | 'biometric', 'consents' | 'objects' | 'withdrawn'];
  test.each<[string, Step[], { photo: boolean; biometric: boolean }]>([
    ['consent then objection', [[MUM, 'photo', 'consents'], [DAD, 'photo', 'objects']], { photo: false, biometric: false }],
    ['objection then another parent’s consent', [[DAD, 'biometric', 'objects'], [MUM, 'biometric', 'consents']], { photo: false, biometric: false }],
    ['child refusal then parent consent', [[CHILD, 'biometric', 'objects'], [MUM, 'biometric', 'consents']], { photo: false, biometric: false }],
    ['withdrawal by another person', [[MUM, 'photo', 'consents'], [CHILD, 'photo', 'objects'], [MUM, 'photo', 'withdrawn'], [MUM, 'photo', 'consents']], { photo: false, biometric: false }],
    ['withdrawal by the same person', [[MUM, 'biometric', 'consents'], [CHILD, 'biometric', 'objects'], [CHILD, 'biometric', 'withdrawn']], { photo: false, biometric: true }],
  ])('when the sequence is %s, then the service derives the same state', async (_name, steps, expected) => {
    const pupil = await createPupil(office);
    for (const [person, consent, position] of steps) {
      world.ctx.register.recordPosition(pupil.id, person, { consent, position, source: 'paper', note: null }, office.id);
    }
    const s = world.ctx.register.consentState(pupil.id);
    expect({ photo: s.photo.current, biometric: s.biometric.holds }).toEqual(expected);
  });
});
