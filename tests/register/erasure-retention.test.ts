import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { outboxDir } from '../../src/context';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { biometric, createPupil, insertFakeReference, post, referenceCount } from './factories';

// Issue #12 items 6 (leavers and erasure) and 7 (housekeeping), through the pages and the API.

const DAY = 86_400_000;
const count = (world: TestWorld, sql: string, ...args: unknown[]) => world.ctx.db.prepare(sql).pluck().get(...args) as number;

async function pupilWithParent(world: TestWorld, office: SignedIn) {
  const pupil = await createPupil(office);
  const parent = await signIn(world, 'parent');
  await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  insertFakeReference(world, pupil.id);
  return { pupil, parent };
}

function everyTrace(world: TestWorld, pupilId: number) {
  return {
    pupils: count(world, 'SELECT COUNT(*) FROM pupils WHERE id = ?', pupilId),
    references: referenceCount(world, pupilId),
    positions: count(world, 'SELECT COUNT(*) FROM consent_positions WHERE pupil_id = ?', pupilId),
    people: count(world, 'SELECT COUNT(*) FROM consent_people WHERE pupil_id = ?', pupilId),
    links: count(world, 'SELECT COUNT(*) FROM guardians WHERE pupil_id = ?', pupilId),
  };
}
const NONE = { pupils: 0, references: 0, positions: 0, people: 0, links: 0 };

test('when the office erases a pupil from the page, then it asks for confirmation, then the record, consents, templates and links are gone, audited by id', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const { pupil } = await pupilWithParent(world, office);
  const page = await office.agent.get(`/office/pupils/${pupil.id}/erase`).expect(200);
  expect(page.text).toContain('This cannot be undone');
  expect(page.text).toContain('1 reference photo');

  await office.agent.post(`/office/pupils/${pupil.id}/erase`).type('form').send({ _csrf: office.csrf }).expect(400);
  expect(everyTrace(world, pupil.id).pupils).toBe(1);

  await office.agent.post(`/office/pupils/${pupil.id}/erase`).type('form').send({ _csrf: office.csrf, understood: 'yes' }).expect(303);
  expect(everyTrace(world, pupil.id)).toEqual(NONE);
  await office.agent.get(`/api/pupils/${pupil.id}`).expect(404);
  const erased = world.ctx.audit.list({ action: 'pupil.erased' });
  expect(erased).toHaveLength(1);
  expect(erased[0]).toMatchObject({ actorId: office.id, subjectType: 'pupil', subjectId: pupil.id, details: { reason: 'office', deletedReferences: 1 } });
  expect(JSON.stringify(world.ctx.audit.list({}))).not.toContain('Lovelace');
});

test('when the office erases a pupil through the API, then it is gone; an organiser may not', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const organiser = await signIn(world, 'organiser');
  const { pupil } = await pupilWithParent(world, office);
  await organiser.agent.delete(`/api/pupils/${pupil.id}`).set('x-csrf-token', organiser.csrf).expect(403);
  const res = await office.agent.delete(`/api/pupils/${pupil.id}`).set('x-csrf-token', office.csrf).expect(200);
  expect(res.body).toEqual({ deletedReferences: 1 });
  expect(everyTrace(world, pupil.id)).toEqual(NONE);
});

test('when the office erases a parent account whose consent held the biometric consent, then the account goes and so do the templates', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  const parent = await signIn(world, 'parent');
  await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
  await post(parent, `/api/me/children/${pupil.id}/consents/biometric`, { answer: 'consents', wordingVersion: (await parent.agent.get('/api/me/consents')).body.wording.biometric.version }).expect(200);
  insertFakeReference(world, pupil.id);
  await office.agent.get(`/office/parents/${parent.id}/erase`).expect(200);
  await office.agent.post(`/office/parents/${parent.id}/erase`).type('form').send({ _csrf: office.csrf, understood: 'yes' }).expect(303);
  expect(count(world, 'SELECT COUNT(*) FROM users WHERE id = ?', parent.id)).toBe(0);
  expect(referenceCount(world, pupil.id)).toBe(0);
  await request(world.app).post('/api/auth/login').send({ email: parent.email, password: 'correct horse battery' }).expect(401);
  expect(world.ctx.audit.list({ action: 'user.erased' })[0]).toMatchObject({ subjectId: parent.id, details: { role: 'parent', reason: 'office' } });
});

test('when a pupil left more than RETENTION_MONTHS ago, then housekeeping erases them; their parent is disabled at once and erased on the same clock', async () => {
  const world = createTestWorld({ config: { RETENTION_MONTHS: '12' } });
  const office = await signIn(world, 'admin');
  const { pupil, parent } = await pupilWithParent(world, office);
  await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(200);

  world.ctx.housekeeping.run();
  await request(world.app).post('/api/auth/login').send({ email: parent.email, password: 'correct horse battery' }).expect(401);
  await office.agent.get(`/api/pupils/${pupil.id}`).expect(200); // kept while the retention runs

  world.clock.advance(364 * DAY);
  expect(world.ctx.housekeeping.run()).toMatchObject({ pupilsErased: 0, parentsErased: 0 });
  world.clock.advance(2 * DAY);
  expect(world.ctx.housekeeping.run()).toMatchObject({ pupilsErased: 1, parentsErased: 1 });
  const later = await signIn(world, 'admin'); // a year on, the first session has long expired
  await later.agent.get(`/api/pupils/${pupil.id}`).expect(404);
  const next = await createPupil(later, { firstName: 'New' });
  expect(next.id).toBeGreaterThan(pupil.id); // nor an erased pupil's
  expect(everyTrace(world, pupil.id)).toEqual(NONE);
  expect(later.id).toBeGreaterThan(parent.id); // an erased account's id is never given again
  expect(count(world, 'SELECT COUNT(*) FROM users WHERE id = ?', parent.id)).toBe(0);
  expect(world.ctx.audit.list({ action: 'pupil.erased' })[0]).toMatchObject({ actorId: null, subjectId: pupil.id, details: { reason: 'retention' } });
});

test('when a disabled parent gets a child on roll linked again, then their account is active again and not erased', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const { pupil, parent } = await pupilWithParent(world, office);
  await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(200);
  world.ctx.housekeeping.run();
  const sibling = await createPupil(office, { firstName: 'Sib' });
  await post(office, `/api/pupils/${sibling.id}/guardians`, { userId: parent.id }).expect(201);
  await request(world.app).post('/api/auth/login').send({ email: parent.email, password: 'correct horse battery' }).expect(200);
  world.clock.advance(400 * DAY);
  world.ctx.housekeeping.run();
  expect(count(world, 'SELECT COUNT(*) FROM users WHERE id = ?', parent.id)).toBe(1);
});

test('when biometric consent is withdrawn, then the template bytes are in neither the database file nor its WAL (nothing forced by the test)', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  const refId = insertFakeReference(world, pupil.id);
  const blob = world.ctx.db.prepare('SELECT descriptor_enc FROM reference_faces WHERE id = ?').pluck().get(refId) as Buffer;
  const file = path.join(world.config.DATA_DIR, 'test.db');
  const onDisk = () => [file, `${file}-wal`].filter((f) => fs.existsSync(f)).some((f) => fs.readFileSync(f).includes(blob));
  expect(onDisk()).toBe(true); // the probe sees it while it exists (in the WAL)

  const res = await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true, true)).expect(201);
  expect(res.body.deletedReferences).toBe(1);
  expect(onDisk()).toBe(false);
});

test('when housekeeping starts with the service, then expired sessions, used links and outbox e-mails over 7 days old are deleted', async () => {
  const world = createTestWorld();
  const parent = await signIn(world, 'parent');
  world.ctx.accounts.createUserRecord({ email: 'new@example.test', name: 'New', role: 'parent' }, null);
  const outbox = outboxDir(world.config);
  fs.mkdirSync(outbox, { recursive: true });
  const old = path.join(outbox, 'old.eml');
  const recent = path.join(outbox, 'recent.eml');
  fs.writeFileSync(old, 'x');
  fs.writeFileSync(recent, 'y');
  world.clock.advance(30 * DAY); // the session (14 days) and the invitation (14 days) have expired
  const now = world.clock.now().getTime();
  fs.utimesSync(old, new Date(now - 8 * DAY), new Date(now - 8 * DAY));
  fs.utimesSync(recent, new Date(now - 6 * DAY), new Date(now - 6 * DAY));
  expect(count(world, 'SELECT COUNT(*) FROM sessions')).toBe(1);

  const stops = world.ctx.startBackground();
  for (const stop of stops) await stop();
  expect(count(world, 'SELECT COUNT(*) FROM sessions')).toBe(0);
  expect(count(world, 'SELECT COUNT(*) FROM user_tokens')).toBe(0);
  expect(fs.existsSync(old)).toBe(false);
  expect(fs.existsSync(recent)).toBe(true);
  await parent.agent.get('/api/auth/me').expect(401);
});

test('when anything but the retention job deletes audit entries, then the database refuses; the job deletes only those past AUDIT_RETENTION_MONTHS', async () => {
  const world = createTestWorld({ config: { AUDIT_RETENTION_MONTHS: '72' } });
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  expect(() => world.ctx.db.prepare('DELETE FROM audit_log').run()).toThrow(/only by the retention job/);
  expect(() => world.ctx.db.prepare('UPDATE audit_log SET action = ?').run('x')).toThrow(/append-only/);
  expect(() => world.ctx.db.prepare('UPDATE consent_positions SET note = ?').run('x')).toThrow(/append-only/);
  expect(() => world.ctx.db.prepare('UPDATE consent_positions SET recorded_by = ?').run(office.id)).toThrow(/append-only/);
  const before = count(world, 'SELECT COUNT(*) FROM audit_log');
  world.clock.advance(73 * 31 * DAY);
  world.ctx.register.createPupil({ firstName: 'Later', lastName: 'On', className: '1A', yearGroup: 'Y1' }, null);
  const report = world.ctx.housekeeping.run();
  expect(report.auditDeleted).toBe(before);
  expect(count(world, 'SELECT COUNT(*) FROM audit_retention_gate')).toBe(0);
  expect(world.ctx.audit.list({ action: 'pupil.created' })).toHaveLength(1);
});
