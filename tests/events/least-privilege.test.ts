import { createTestWorld, signIn } from '../helpers/context';
import { createPupil, post } from '../register/factories';

// Issue #12 item 4: an organiser sees the pupils of their own events (name, class, consent state),
// never parents' e-mails, consent notes or histories, and no menu item they cannot use.

async function setUp() {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const organiser = await signIn(world, 'organiser', { name: 'Ms Events' });
  const inEvent = await createPupil(office, { firstName: 'Ivy', lastName: 'Inside', className: '3B', yearGroup: 'Y3' });
  const outside = await createPupil(office, { firstName: 'Otto', lastName: 'Outside', className: '5C', yearGroup: 'Y5' });
  const parent = await signIn(world, 'parent', { email: 'ivy.mum@example.test' });
  await post(office, `/api/pupils/${inEvent.id}/guardians`, { userId: parent.id }).expect(201);
  await post(office, `/api/pupils/${inEvent.id}/consent-positions`, {
    person: { kind: 'named', name: 'Grandma Secret' }, consent: 'photo', position: 'objects', note: 'custody note: confidential',
  }).expect(201);
  const event = await organiser.agent.post('/api/events').set('x-csrf-token', organiser.csrf)
    .send({ name: 'Sports day', startsAt: '2026-06-01T09:00:00+01:00', place: 'Field', participants: { classes: ['3B'], yearGroups: [], pupilIds: [] } }).expect(201);
  return { world, office, organiser, inEvent, outside, eventId: (event.body.event?.id ?? event.body.id) as number };
}

test('when an organiser uses the register API, then they get their events\' pupils with consent state and nothing about parents or answers', async () => {
  const { organiser, inEvent, outside } = await setUp();
  const list = await organiser.agent.get('/api/pupils').expect(200);
  expect(list.body.pupils.map((p: { id: number }) => p.id)).toEqual([inEvent.id]);
  expect(list.body.pupils[0]).toMatchObject({ firstName: 'Ivy', className: '3B', photoConsent: { state: 'refused', current: false } });

  const detail = await organiser.agent.get(`/api/pupils/${inEvent.id}`).expect(200);
  expect(detail.body).toEqual({
    pupil: { id: inEvent.id, firstName: 'Ivy', lastName: 'Inside', className: '3B', yearGroup: 'Y3', status: 'on_roll' },
    photoConsent: { state: 'refused', current: false, reviewOn: null },
    biometricConsent: { holds: false },
  });
  const text = JSON.stringify(detail.body) + JSON.stringify(list.body);
  for (const secret of ['ivy.mum@example.test', 'Grandma Secret', 'custody note']) expect(text).not.toContain(secret);

  await organiser.agent.get(`/api/pupils/${outside.id}`).expect(404);
  await organiser.agent.get(`/api/pupils/${inEvent.id}/consents`).expect(403);
  await organiser.agent.get('/api/register/summary').expect(403);
});

test('when an organiser uses the pages, then their dashboard is theirs, the menu has only what they can use, and register pages are closed', async () => {
  const { organiser, inEvent, eventId } = await setUp();
  const dashboard = await organiser.agent.get('/office').expect(200);
  expect(dashboard.text).toContain('<h1>Your events</h1>');
  expect(dashboard.text).not.toContain('School office</h1>');
  expect(dashboard.text).toContain('Sports day');
  const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(dashboard.text)![0];
  const links = [...nav.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
  expect(links).toEqual(['/office', '/office/events', '/account']);
  for (const url of ['/office/pupils', `/office/pupils/${inEvent.id}`, '/office/parents', '/office/import', '/office/audit', '/office/staff']) {
    await organiser.agent.get(url).expect(403);
  }
  const event = await organiser.agent.get(`/office/events/${eventId}`).expect(200);
  expect(event.text).toContain('Inside, Ivy');
  expect(event.text).not.toContain(`/office/pupils/${inEvent.id}`);
  expect(event.text).not.toContain('ivy.mum@example.test');
});

test('when the office reads a consent history, then the read is audited', async () => {
  const { world, office, inEvent } = await setUp();
  await office.agent.get(`/api/pupils/${inEvent.id}/consents`).expect(200);
  await office.agent.get(`/office/pupils/${inEvent.id}`).expect(200);
  const reads = world.ctx.audit.list({ action: 'consent_history.viewed', subjectId: inEvent.id });
  expect(reads.map((e) => e.actorId)).toEqual([office.id, office.id]);
});
