import request from 'supertest';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';

// Issue #12 item 3: imported contacts are not parents until the office says so; "invite all".

const form = (u: SignedIn, fields: Record<string, string> = {}) => ({ _csrf: u.csrf, ...fields });

function captureMail(world: TestWorld) {
  const sent: { to: string; subject: string; text: string }[] = [];
  world.ctx.mailer.send = async (m) => { sent.push(m); return { messageId: `m${sent.length}` }; };
  return sent;
}

async function importCsv(office: SignedIn, csv: string) {
  const preview = await office.agent.post('/office/import/preview').field('_csrf', office.csrf).attach('file', Buffer.from(csv), 'pupils.csv').expect(200);
  const draftId = /name="draftId" value="([^"]+)"/.exec(preview.text)![1]!;
  await office.agent.post('/office/import/commit').type('form').send(form(office, { draftId })).expect(303);
  return preview.text;
}

// As SIMS exports it: a "Parental Responsibility" column per contact, T or F.
const SIMS = [
  'Legal Forename,Legal Surname,Year,Reg Group,Contact 1 Email,Contact 1 Name,Contact 1 Relationship,Contact 1 Parental Responsibility,Contact 2 Email,Contact 2 Name,Contact 2 Relationship,Contact 2 Parental Responsibility',
  'Amy,Adams,Y3,3B,mum.adams@example.test,Ann Adams,Mother,T,childminder@example.test,Cath Minder,Childminder,F',
  'Ben,Brown,Y4,4C,dad.brown@example.test,Bob Brown,Father,T,,,,',
].join('\n');

test('when an export flags parental responsibility, then only flagged contacts are linked and the others are listed for the office to confirm', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const preview = await importCsv(office, SIMS);
  expect(preview).toMatch(/<span class="office-tile-count">1<\/span> <span class="office-tile-label">contacts without parental responsibility/);
  const amy = world.ctx.register.registerRows().find((r) => r.pupil.firstName === 'Amy')!.pupil;
  expect(world.ctx.register.pupilDetail(amy.id).guardians.map((g) => g.email)).toEqual(['mum.adams@example.test']);
  expect(world.ctx.accounts.repo.userByEmail('childminder@example.test')).toBeUndefined();

  const page = await office.agent.get('/office/import').expect(200);
  expect(page.text).toContain('Contacts to confirm (1)');
  expect(page.text).toContain('childminder@example.test');
  const id = /\/office\/import\/contacts\/(\d+)\/confirm/.exec(page.text)![1]!;
  await office.agent.post(`/office/import/contacts/${id}/confirm`).type('form').send(form(office)).expect(303);
  expect(world.ctx.register.pupilDetail(amy.id).guardians.map((g) => g.email).sort()).toEqual(['childminder@example.test', 'mum.adams@example.test']);
  expect((await office.agent.get('/office/import')).text).not.toContain('Contacts to confirm');
});

test('when an export has no parental-responsibility column, then nobody is linked and every contact waits; dismissing one links nobody', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const preview = await importCsv(office, 'Forename,Surname,Year,Reg Group,Contact 1 Email\nCal,Cole,Y2,2A,someone@example.test\n');
  expect(preview).toContain('no parental-responsibility column');
  expect(world.ctx.db.prepare('SELECT COUNT(*) FROM guardians').pluck().get()).toBe(0);
  const page = await office.agent.get('/office/import').expect(200);
  const id = /\/office\/import\/contacts\/(\d+)\/dismiss/.exec(page.text)![1]!;
  await office.agent.post(`/office/import/contacts/${id}/dismiss`).type('form').send(form(office)).expect(303);
  expect(world.ctx.register.importContactsToConfirm()).toEqual([]);
  expect(world.ctx.db.prepare('SELECT COUNT(*) FROM guardians').pluck().get()).toBe(0);
});

test('when an imported parent asks for a password reset before any invitation, then nothing is sent', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  await importCsv(office, SIMS);
  const sent = captureMail(world);
  await request(world.app).post('/forgot-password').type('form').send({ email: 'mum.adams@example.test' }).expect(303);
  expect(sent).toEqual([]);
});

test('when the office invites all new parents, then it sees the count, confirms it, and each gets one invitation', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  await importCsv(office, SIMS);
  const sent = captureMail(world);
  const parents = await office.agent.get('/office/parents').expect(200);
  expect(parents.text).toContain('2 parents with a child on roll have never been sent an invitation');
  const confirm = await office.agent.get('/office/parents/invite-all').expect(200);
  expect(confirm.text).toContain('Send 2 invitations');

  // Another import added a parent meanwhile: the confirmed count no longer matches, nothing is sent.
  const stale = await office.agent.post('/office/parents/invite-all').type('form').send(form(office, { expected: '1' })).expect(409);
  expect(stale.text).toContain('now 2, not 1');
  expect(sent).toEqual([]);

  await office.agent.post('/office/parents/invite-all').type('form').send(form(office, { expected: '2' })).expect(303);
  expect(sent.map((m) => m.to).sort()).toEqual(['dad.brown@example.test', 'mum.adams@example.test']);
  expect(sent[0]!.text).toMatch(/\/invite\/[\w-]+/);
  expect((await office.agent.get('/office/parents')).text).not.toContain('never been sent an invitation');
  expect((await office.agent.get('/api/parents/uninvited')).body).toEqual({ count: 0 });
});

test('when a reminder goes to a parent who has not set a password, then it carries an invitation; an activated parent\'s does not', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  await importCsv(office, SIMS);
  const activated = world.ctx.accounts.repo.userByEmail('dad.brown@example.test')!.user;
  await world.ctx.accounts.setPassword(activated.id, 'correct horse battery');
  const sent = captureMail(world);
  const event = await office.agent.post('/api/events').set('x-csrf-token', office.csrf)
    .send({ name: 'Concert', startsAt: '2026-03-20T18:00:00Z', place: 'Hall', participants: { classes: ['3B', '4C'], yearGroups: [], pupilIds: [] } }).expect(201);
  const eventId = (event.body.event?.id ?? event.body.id) as number;
  await office.agent.post(`/api/events/${eventId}/guidance/send`).set('x-csrf-token', office.csrf).send({}).expect(202);
  await world.ctx.events.scheduler.runDue();
  const toMum = sent.find((m) => m.to === 'mum.adams@example.test')!;
  const toDad = sent.find((m) => m.to === 'dad.brown@example.test')!;
  expect(toMum.text).toMatch(/choose a password here[\s\S]*\/invite\/[\w-]+/);
  expect(toDad.text).not.toContain('/invite/');
  expect(world.ctx.audit.list({ action: 'reminder.started' })[0]).toMatchObject({ subjectType: 'event', subjectId: eventId, details: { kind: 'on_demand', recipients: 2 } });
});

test('when the office asks parents to review consent, then a parent without a password gets the invitation with it', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  await importCsv(office, SIMS);
  const activated = world.ctx.accounts.repo.userByEmail('dad.brown@example.test')!.user;
  await world.ctx.accounts.setPassword(activated.id, 'correct horse battery');
  const sent = captureMail(world);
  const list = await office.agent.get('/api/consent-reviews').expect(200);
  await office.agent.post('/api/consent-reviews/send').set('x-csrf-token', office.csrf).send({ expectedRecipients: list.body.total }).expect(200);
  expect(sent.find((m) => m.to === 'mum.adams@example.test')!.text).toMatch(/choose a password here[\s\S]*\/invite\/[\w-]+/);
  expect(sent.find((m) => m.to === 'dad.brown@example.test')!.text).not.toContain('/invite/');
});
