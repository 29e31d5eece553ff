import request from 'supertest';
import { createTestWorld, signIn } from '../helpers/context';

// Issue #12 item 1: the staff page and the last active admin.

const form = (csrf: string, fields: Record<string, string> = {}) => ({ _csrf: csrf, ...fields });

test('when the office adds an organiser on the staff page, then they are invited and listed; organisers and parents cannot open the page', async () => {
  const world = createTestWorld();
  const sent: { to: string; text: string }[] = [];
  world.ctx.mailer.send = async (m) => { sent.push(m); return { messageId: 'x' }; };
  const admin = await signIn(world, 'admin');
  await admin.agent.post('/office/staff').type('form').send(form(admin.csrf, { name: 'Mr Teacher', email: 'teacher@school.example', role: 'organiser' })).expect(303);
  expect(sent.map((m) => m.to)).toEqual(['teacher@school.example']);
  const page = await admin.agent.get('/office/staff').expect(200);
  expect(page.text).toContain('Mr Teacher');
  expect(page.text).toContain('Invitation pending');
  const bad = await admin.agent.post('/office/staff').type('form').send(form(admin.csrf, { name: '', email: 'nope', role: 'organiser' })).expect(400);
  expect(bad.text).toContain('Enter their name.');

  const organiser = await signIn(world, 'organiser');
  await organiser.agent.get('/office/staff').expect(403);
  const parent = await signIn(world, 'parent');
  await parent.agent.get('/office/staff').expect(403);
});

test('when the office disables, re-enables, promotes and removes staff, then each takes effect', async () => {
  const world = createTestWorld();
  const admin = await signIn(world, 'admin');
  const organiser = await signIn(world, 'organiser');
  await admin.agent.post(`/office/staff/${organiser.id}/status`).type('form').send(form(admin.csrf, { status: 'disabled' })).expect(303);
  await organiser.agent.get('/api/auth/me').expect(401);
  await request(world.app).post('/api/auth/login').send({ email: organiser.email, password: 'correct horse battery' }).expect(401);
  await admin.agent.post(`/office/staff/${organiser.id}/status`).type('form').send(form(admin.csrf, { status: 'active' })).expect(303);
  await request(world.app).post('/api/auth/login').send({ email: organiser.email, password: 'correct horse battery' }).expect(200);

  await admin.agent.post(`/office/staff/${organiser.id}/role`).type('form').send(form(admin.csrf, { role: 'admin' })).expect(303);
  expect(world.ctx.accounts.repo.userById(organiser.id)!.role).toBe('admin');

  await admin.agent.get(`/office/staff/${organiser.id}/remove`).expect(200);
  await admin.agent.post(`/office/staff/${organiser.id}/remove`).type('form').send(form(admin.csrf)).expect(303);
  expect(world.ctx.accounts.repo.userById(organiser.id)).toBeUndefined();
  expect(world.ctx.audit.list({ action: 'user.erased' })[0]).toMatchObject({ subjectId: organiser.id, details: { role: 'admin', reason: 'office' } });
});

test('when the last active admin would be disabled, demoted or removed, then it is refused, by the page and by the API', async () => {
  const world = createTestWorld();
  const admin = await signIn(world, 'admin');
  const other = await signIn(world, 'admin');
  await admin.agent.post(`/office/staff/${other.id}/status`).type('form').send(form(admin.csrf, { status: 'disabled' })).expect(303);

  const refusedByPage = await admin.agent.post(`/office/staff/${admin.id}/status`).type('form').send(form(admin.csrf, { status: 'disabled' })).expect(303);
  expect(decodeURIComponent(refusedByPage.headers['set-cookie'][0])).toContain('only active office admin');
  await admin.agent.post(`/office/staff/${admin.id}/role`).type('form').send(form(admin.csrf, { role: 'organiser' })).expect(303);
  const removal = await admin.agent.post(`/office/staff/${admin.id}/remove`).type('form').send(form(admin.csrf)).expect(409);
  expect(removal.text).toContain('only active office admin');
  const me = world.ctx.accounts.repo.userById(admin.id)!;
  expect([me.role, me.status]).toEqual(['admin', 'active']);

  const csrf = { 'x-csrf-token': admin.csrf };
  expect((await admin.agent.post(`/api/users/${admin.id}/status`).set(csrf).send({ status: 'disabled' }).expect(409)).body.error.code).toBe('conflict');
  await admin.agent.patch(`/api/users/${admin.id}`).set(csrf).send({ role: 'organiser' }).expect(409);
  await admin.agent.delete(`/api/users/${admin.id}`).set(csrf).expect(409);
  // With a second active admin, the first may step down.
  await admin.agent.post(`/api/users/${other.id}/status`).set(csrf).send({ status: 'active' }).expect(204);
  await admin.agent.patch(`/api/users/${admin.id}`).set(csrf).send({ role: 'organiser' }).expect(200);
});

test('when staff and parents look at the menu, then the office admin has Staff and everyone has My account', async () => {
  const world = createTestWorld();
  const admin = await signIn(world, 'admin');
  const organiser = await signIn(world, 'organiser');
  const parent = await signIn(world, 'parent');
  const nav = async (u: typeof admin, url: string) => /<nav class="site-nav"[\s\S]*?<\/nav>/.exec((await u.agent.get(url).expect(200)).text)![0];
  expect(await nav(admin, '/office')).toMatch(/href="\/office\/staff"[\s\S]*href="\/account"/);
  expect(await nav(organiser, '/office/events')).not.toContain('/office/staff');
  expect(await nav(parent, '/check')).toContain('href="/account"');
});
