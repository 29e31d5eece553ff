import { WORDING_VERSION } from '../../src/features/register/consent-wording';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { createPupil, post } from './factories';

// Online consent: a parent answers for themselves, sees their own children's resulting state and
// their own answer, and never learns who else said what.

let world: TestWorld;
let office: SignedIn;
let parent: SignedIn;
let pupilId: number;

beforeEach(async () => {
  world = createTestWorld(); // 2026-03-02
  office = await signIn(world, 'admin');
  parent = await signIn(world, 'parent', { name: 'Pat Parent' });
  pupilId = (await createPupil(office, { firstName: 'Amy', lastName: 'Adams' })).id;
  await post(office, `/api/pupils/${pupilId}/guardians`, { userId: parent.id }).expect(201);
});

const answer = (user: SignedIn, id: number, consent: 'photo' | 'biometric', a: string, version = WORDING_VERSION[consent]) =>
  post(user, `/api/me/children/${id}/consents/${consent}`, { answer: a, wordingVersion: version });
const mine = async (user: SignedIn) => (await user.agent.get('/api/me/consents').expect(200)).body;

describe('online consent (API)', () => {
  test('when a parent gives and then withdraws photo consent online, then the state follows and each change is audited with the wording shown', async () => {
    expect((await mine(parent)).children).toEqual([{
      pupil: { id: pupilId, firstName: 'Amy', lastName: 'Adams' },
      photo: { inEffect: false, yourAnswer: 'none', yourReviewOn: null, yourAnsweredOn: null },
      biometric: { inEffect: false, yourAnswer: 'none', yourAnsweredOn: null },
    }]);
    const given = await answer(parent, pupilId, 'photo', 'consents').expect(200);
    expect(given.body.child.photo).toEqual({ inEffect: true, yourAnswer: 'consents', yourReviewOn: '2027-03-02', yourAnsweredOn: '2026-03-02' });
    await answer(parent, pupilId, 'biometric', 'consents').expect(200);
    expect(world.ctx.register.consentState(pupilId).biometric.holds).toBe(true); // online is written consent
    const withdrawn = await answer(parent, pupilId, 'photo', 'withdrawn').expect(200);
    expect(withdrawn.body.child.photo).toMatchObject({ inEffect: false, yourAnswer: 'none' });

    const office_view = (await office.agent.get(`/api/pupils/${pupilId}/consents`).expect(200)).body;
    expect(office_view.positions.filter((p: { source: string }) => p.source === 'online')).toHaveLength(3);
    expect(office_view.positions[0]).toMatchObject({ consent: 'photo', position: 'withdrawn', source: 'online', shown: `wording:${WORDING_VERSION.photo}`, recordedBy: parent.id });
    const audit = world.ctx.audit.list({ subjectType: 'pupil', subjectId: pupilId }).filter((e) => e.action === 'consent_position.recorded');
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({ actorId: parent.id, details: { consent: 'photo', position: 'withdrawn', source: 'online', shown: `wording:${WORDING_VERSION.photo}` } });
    expect(audit[0]!.at).toBe('2026-03-02T09:00:00.000Z');
  });

  test('when another person objects, then the parent sees only that consent is not in effect, never who objected or how', async () => {
    await post(office, `/api/pupils/${pupilId}/consent-positions`, { person: { kind: 'named', name: 'Gwen Secretname', relationship: 'mother' }, consent: 'photo', position: 'objects', note: 'Court order' }).expect(201);
    await post(office, `/api/pupils/${pupilId}/consent-positions`, { person: { kind: 'child' }, consent: 'biometric', position: 'objects' }).expect(201);
    await answer(parent, pupilId, 'photo', 'consents').expect(200);
    const body = await mine(parent);
    expect(body.children[0].photo).toMatchObject({ inEffect: false, yourAnswer: 'consents' });
    const text = JSON.stringify(body) + (await parent.agent.get('/consents').set('Accept', 'text/html').expect(200)).text;
    // Only the parent's own answer and the result: no name, relationship, note, person or other position.
    for (const leak of ['Gwen', 'Secretname', 'Court order', 'mother', 'childObjection', 'parentObjection', '"named"', 'personId', 'positions']) {
      expect(text).not.toContain(leak);
    }
  });

  test('when a parent answers for a child who is not theirs, then it is the same 404 as for no child at all, and nothing is stored', async () => {
    const other = (await createPupil(office, { firstName: 'Zed' })).id;
    const a = await answer(parent, other, 'photo', 'objects').expect(404);
    const b = await answer(parent, 99999, 'photo', 'objects').expect(404);
    expect(a.body).toEqual(b.body);
    expect((await mine(parent)).children.map((c: { pupil: { id: number } }) => c.pupil.id)).toEqual([pupilId]);
    await answer(parent, pupilId, 'photo', 'maybe').expect(400);
    await post(parent, `/api/me/children/${pupilId}/consents/face`, { answer: 'consents', wordingVersion: 'x' }).expect(400);
    const stale = await answer(parent, pupilId, 'photo', 'consents', 'an-older-version').expect(409);
    expect(stale.body.error.code).toBe('wording_changed');
    await parent.agent.post(`/api/me/children/${pupilId}/consents/photo`).send({ answer: 'consents', wordingVersion: WORDING_VERSION.photo }).expect(403); // no CSRF
    expect(world.ctx.db.prepare('SELECT COUNT(*) AS n FROM consent_positions').get()).toEqual({ n: 0 });
  });

  test('when the API is described, then the online consent endpoints are listed', async () => {
    const doc = (await parent.agent.get('/api/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/me/consents', '/api/me/children/{id}/consents/{consent}', '/api/pupils/{id}/consent-positions', '/api/pupils/{id}/consents',
      '/api/consent-reviews', '/api/consent-reviews/send',
    ]));
  });
});

describe('online consent (pages)', () => {
  const form = (user: SignedIn, url: string, fields: Record<string, string>, csrf = user.csrf) =>
    user.agent.post(url).set('Accept', 'text/html').type('form').send({ ...fields, _csrf: csrf });

  test('when a parent opens the consent page, then it explains each consent in plain words and saves their answer with the wording version', async () => {
    const page = await parent.agent.get('/consents').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('Sharing photos that show Amy');
    expect(page.text).toContain('If you refuse, Amy’s face is blurred in every other parent’s photo.');
    expect(page.text).toContain('Face recognition for Amy');
    expect(page.text).toContain('Protection of Freedoms Act 2012');
    expect(page.text).toContain(`name="wordingVersion" value="${WORDING_VERSION.photo}"`);
    expect(page.text).not.toMatch(/<script>|style="/);

    await form(parent, `/consents/${pupilId}/photo`, { answer: 'consents', wordingVersion: WORDING_VERSION.photo }, 'wrong').expect(403);
    const saved = await form(parent, `/consents/${pupilId}/photo`, { answer: 'consents', wordingVersion: WORDING_VERSION.photo }).expect(303);
    const landed = await parent.agent.get(saved.headers.location!).set('Accept', 'text/html').expect(200);
    expect(landed.text).toContain('Your answer is saved.');
    expect(landed.text).toContain('You gave consent on 2 March 2026, to be reviewed by 2 March 2027.');
    expect(landed.text).toContain('data-state="in_effect"');
    const missing = await form(parent, `/consents/${pupilId}/biometric`, { wordingVersion: WORDING_VERSION.biometric }).expect(400);
    expect(missing.text).toContain('Choose an answer, then save.');
    await form(parent, `/consents/99999/photo`, { answer: 'objects', wordingVersion: WORDING_VERSION.photo }).expect(404);
  });
});
