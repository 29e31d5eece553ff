import request from 'supertest';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { biometric, createPupil, insertFakeReference, post } from './factories';

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld();
  office = await signIn(world, 'admin');
});

describe('pupils', () => {
  test('when the office adds, edits and reads a pupil, then the register shows the changes', async () => {
    const pupil = await createPupil(office, { firstName: 'Ada', lastName: 'Lovelace', yearGroup: 'Year 4', upn: 'a12345678901b' });
    expect(pupil).toMatchObject({ firstName: 'Ada', yearGroup: 'Y4', upn: 'A12345678901B', status: 'on_roll' });
    const patched = await office.agent.patch(`/api/pupils/${pupil.id}`).set('x-csrf-token', office.csrf)
      .send({ className: '5C', yearGroup: '5' }).expect(200);
    expect(patched.body.pupil).toMatchObject({ className: '5C', yearGroup: 'Y5', firstName: 'Ada' });
    const detail = await office.agent.get(`/api/pupils/${pupil.id}`).expect(200);
    expect(detail.body).toMatchObject({
      pupil: { id: pupil.id, className: '5C' }, guardians: [], people: [], positions: [], references: [],
      photoConsent: { state: 'not_asked', current: false }, biometricConsent: { holds: false },
    });
    await office.agent.get('/api/pupils/9999').expect(404);
  });

  test('when the input is invalid or the UPN is taken, then the pupil is refused', async () => {
    await createPupil(office, { upn: 'A12345678901B' });
    const dup = await post(office, '/api/pupils', { firstName: 'B', lastName: 'C', className: '1A', yearGroup: 'Y1', upn: 'A12345678901B' }).expect(409);
    expect(dup.body.error.code).toBe('conflict');
    const bad = await post(office, '/api/pupils', { firstName: '', lastName: 'C', className: '1A', yearGroup: 'Year 9' }).expect(400);
    expect(bad.body.error.message).toMatch(/firstName/);
    expect(bad.body.error.message).toMatch(/Unknown year group/);
  });

  test('when the list is filtered, then only matching pupils come back', async () => {
    const ada = await createPupil(office, { firstName: 'Ada', lastName: 'Lovelace', className: '4C', yearGroup: 'Y4' });
    const alan = await createPupil(office, { firstName: 'Alan', lastName: 'Turing', className: '3B', yearGroup: 'Y3' });
    const grace = await createPupil(office, { firstName: 'Grace', lastName: 'Hopper', className: '3B', yearGroup: 'Y3' });
    const edsger = await createPupil(office, { firstName: 'Edsger', lastName: 'Dijkstra', className: '3B', yearGroup: 'Y3' });
    await post(office, `/api/pupils/${ada.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', givenOn: '2025-03-01', reviewOn: '2026-03-01' }).expect(201);
    await post(office, `/api/pupils/${alan.id}/photo-consent`, { status: 'granted', givenBy: 'Father' }).expect(201);
    await post(office, `/api/pupils/${grace.id}/photo-consent`, { status: 'refused', givenBy: 'Mother' }).expect(201);
    await post(office, `/api/pupils/${alan.id}/biometric-consent`, biometric(true)).expect(201);
    await post(office, `/api/pupils/${grace.id}/biometric-consent`, biometric(true)).expect(201);
    insertFakeReference(world, alan.id);
    await post(office, `/api/pupils/${edsger.id}/leave`, {}).expect(200);

    const ids = async (query: string) =>
      ((await office.agent.get(`/api/pupils?${query}`).expect(200)).body.pupils as { id: number }[]).map((p) => p.id);
    expect(await ids('')).toEqual([grace.id, ada.id, alan.id]); // on roll, by surname
    expect(await ids('q=tur')).toEqual([alan.id]);
    expect(await ids('q=grace%20hop')).toEqual([grace.id]);
    expect(await ids('class=3b')).toEqual([grace.id, alan.id]);
    expect(await ids('yearGroup=Year%204')).toEqual([ada.id]);
    expect(await ids('status=left')).toEqual([edsger.id]);
    expect(await ids('status=all&class=3B')).toEqual([edsger.id, grace.id, alan.id]);
    expect(await ids('photoConsent=granted')).toEqual([alan.id]);
    expect(await ids('photoConsent=expired')).toEqual([ada.id]);
    expect(await ids('photoConsent=refused')).toEqual([grace.id]);
    expect(await ids('photoConsent=not_asked')).toEqual([]);
    expect(await ids('biometric=holds')).toEqual([grace.id, alan.id]);
    expect(await ids('biometric=not')).toEqual([ada.id]);
    expect(await ids('enrolled=yes')).toEqual([alan.id]);
    expect(await ids('enrolled=no')).toEqual([grace.id, ada.id]);
    expect(await ids('reviewDue=2026-06-01')).toEqual([ada.id]);
    expect(await ids('reviewDue=2027-06-01')).toEqual([ada.id, alan.id]);
    await office.agent.get('/api/pupils?photoConsent=maybe').expect(400);

    const classes = await office.agent.get('/api/classes').expect(200);
    expect(classes.body.classes).toEqual([{ className: '3B', yearGroup: 'Y3', pupils: 2 }, { className: '4C', yearGroup: 'Y4', pupils: 1 }]);
  });

  test('when the dashboard asks for numbers, then it counts on-roll pupils by consent state', async () => {
    const make = (firstName: string) => createPupil(office, { firstName });
    const [missing, refused, soon, expired, enrolled, holds, later] = await Promise.all(
      ['Mia', 'Ray', 'Sue', 'Eve', 'Ena', 'Hal', 'Lou'].map(make));
    await post(office, `/api/pupils/${refused!.id}/photo-consent`, { status: 'refused', givenBy: 'Mother' }).expect(201);
    await post(office, `/api/pupils/${soon!.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', reviewOn: '2026-03-20' }).expect(201);
    await post(office, `/api/pupils/${expired!.id}/photo-consent`, { status: 'granted', givenBy: 'Mother', givenOn: '2025-01-01', reviewOn: '2026-01-01' }).expect(201);
    await post(office, `/api/pupils/${later!.id}/photo-consent`, { status: 'granted', givenBy: 'Mother' }).expect(201);
    for (const p of [enrolled!, holds!]) await post(office, `/api/pupils/${p.id}/biometric-consent`, biometric(true)).expect(201);
    insertFakeReference(world, enrolled!.id);
    const summary = (await office.agent.get('/api/register/summary').expect(200)).body;
    expect(summary).toMatchObject({
      pupilsOnRoll: 7, photoConsentGranted: 2, photoConsentMissing: 3, photoConsentRefused: 1, photoConsentReviewDueSoon: 1,
      photoConsentExpired: 1, biometricHoldsNotEnrolled: 1, enrolled: 1,
    });
    expect(missing).toBeDefined();
  });
});

describe('parents and access', () => {
  test('when a parent is linked, then they see only their own children and no register endpoint', async () => {
    const parent = await signIn(world, 'parent');
    const own = await createPupil(office, { firstName: 'Own', lastName: 'Child' });
    const other = await createPupil(office, { firstName: 'Other', lastName: 'Child' });
    await post(office, `/api/pupils/${own.id}/guardians`, { userId: parent.id }).expect(201);
    await post(office, `/api/pupils/${own.id}/guardians`, { userId: parent.id }).expect(409);
    const mine = await parent.agent.get('/api/me/children').expect(200);
    expect(mine.body.children).toEqual([{ id: own.id, firstName: 'Own', lastName: 'Child', className: '4C' }]);
    await parent.agent.get('/api/pupils').expect(403);
    await parent.agent.get(`/api/pupils/${own.id}`).expect(403);
    await parent.agent.get(`/api/pupils/${other.id}`).expect(403);
    await parent.agent.get('/api/classes').expect(403);
    await parent.agent.get('/api/register/summary').expect(403);
    await post(parent, `/api/pupils/${own.id}/photo-consent`, { status: 'granted', givenBy: 'Me' }).expect(403);
    await request(world.app).get('/api/me/children').expect(401);

    await office.agent.delete(`/api/pupils/${own.id}/guardians/${parent.id}`).set('x-csrf-token', office.csrf).expect(204);
    expect((await parent.agent.get('/api/me/children').expect(200)).body.children).toEqual([]);
    await office.agent.delete(`/api/pupils/${own.id}/guardians/${parent.id}`).set('x-csrf-token', office.csrf).expect(404);
  });

  test('when the office adds a parent by email, then an account is created with an invitation and linked', async () => {
    const sent: string[] = [];
    world.ctx.mailer.send = async (m) => { sent.push(m.to as string); return { messageId: 'x' }; };
    const pupil = await createPupil(office);
    const res = await post(office, `/api/pupils/${pupil.id}/guardians`, { email: 'Mum@Example.test', name: 'Mum Lovelace', relationship: 'mother' }).expect(201);
    expect(res.body.guardian).toMatchObject({ email: 'mum@example.test', name: 'Mum Lovelace', relationship: 'mother', invitationPending: true });
    expect(res.body.invitationUrl).toMatch(/\/invite\//);
    expect(sent).toEqual(['mum@example.test']);
    const user = world.ctx.accounts.repo.userByEmail('mum@example.test')!.user;
    expect(user.role).toBe('parent');
    // The same email for a sibling links the existing account instead of creating another.
    const sibling = await createPupil(office, { firstName: 'Sib' });
    const again = await post(office, `/api/pupils/${sibling.id}/guardians`, { email: 'mum@example.test', name: 'Mum' }).expect(201);
    expect(again.body).toMatchObject({ guardian: { userId: user.id }, invitationUrl: null });
    const detail = await office.agent.get(`/api/pupils/${pupil.id}`).expect(200);
    expect(detail.body.guardians).toHaveLength(1);
    expect(world.ctx.register.childrenOf(user.id)).toEqual([{ id: pupil.id, firstName: 'Ada' }, { id: sibling.id, firstName: 'Sib' }]);
  });

  test('when an organiser uses the register, then they read only their events\' pupils and change nothing', async () => {
    const organiser = await signIn(world, 'organiser');
    const pupil = await createPupil(office);
    expect((await organiser.agent.get('/api/pupils').expect(200)).body.pupils).toEqual([]);
    await organiser.agent.get(`/api/pupils/${pupil.id}`).expect(404);
    await organiser.agent.get('/api/register/summary').expect(403);
    const res = await post(organiser, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother' }).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    await post(organiser, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(403);
    await post(organiser, '/api/pupils', { firstName: 'X', lastName: 'Y', className: '1A', yearGroup: 'Y1' }).expect(403);
    await post(organiser, `/api/pupils/${pupil.id}/leave`, {}).expect(403);
    await organiser.agent.get('/api/audit').expect(403);
    expect(world.ctx.db.prepare('SELECT COUNT(*) AS n FROM consent_positions').get()).toEqual({ n: 0 });
  });
});

describe('audit trail', () => {
  test('when the admin reads the audit trail, then it filters and pages, with ids and counts only', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/photo-consent`, { status: 'granted', givenBy: 'Mother Lovelace' }).expect(201);
    world.clock.advance(2 * 86_400_000);
    await office.agent.patch(`/api/pupils/${pupil.id}`).set('x-csrf-token', office.csrf).send({ className: '5A' }).expect(200);
    const all = await office.agent.get(`/api/audit?subjectType=pupil&subjectId=${pupil.id}`).expect(200);
    expect(all.body.entries.map((e: { action: string }) => e.action)).toEqual(['pupil.updated', 'consent_position.recorded', 'pupil.created']);
    expect(JSON.stringify(all.body)).not.toMatch(/Lovelace|Ada/);
    const page = await office.agent.get(`/api/audit?subjectType=pupil&limit=2`).expect(200);
    expect(page.body.entries).toHaveLength(2);
    const next = await office.agent.get(`/api/audit?subjectType=pupil&beforeId=${page.body.nextBeforeId}`).expect(200);
    expect(next.body.entries.map((e: { action: string }) => e.action)).toEqual(['pupil.created']);
    const consentOnly = await office.agent.get('/api/audit?action=consent_position').expect(200);
    expect(consentOnly.body.entries).toHaveLength(1);
    const early = await office.agent.get('/api/audit?subjectType=pupil&to=2026-03-02').expect(200);
    expect(early.body.entries).toHaveLength(2);
    const late = await office.agent.get('/api/audit?subjectType=pupil&from=2026-03-03').expect(200);
    expect(late.body.entries.map((e: { action: string }) => e.action)).toEqual(['pupil.updated']);
    await office.agent.get('/api/audit?from=yesterday').expect(400);
  });
});

describe('API description', () => {
  test('when the OpenAPI document is read, then it lists the register endpoints', async () => {
    const doc = (await request(world.app).get('/api/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/pupils', '/api/pupils/{id}/biometric-consent', '/api/imports/pupils', '/api/audit']));
  });
});
