import request from 'supertest';
import { createContext } from '../../src/context';
import { createApp } from '../../src/app';
import { hashPassword } from '../../src/platform/secrets';
import { createTestWorld, signIn } from '../helpers/context';

// Issue #12 item 5: credentials.

function captureMail(world: ReturnType<typeof createTestWorld>) {
  const sent: { to: string; subject: string; text: string }[] = [];
  world.ctx.mailer.send = async (m) => {
    sent.push(m);
    return { messageId: `m${sent.length}` };
  };
  return sent;
}

test('when a password is reset, then the account\'s API tokens stop working and open invitations are retired', async () => {
  const world = createTestWorld();
  const sent = captureMail(world);
  const { user } = world.ctx.accounts.createUserRecord({ email: 'staff@example.test', name: 'Staff', role: 'organiser' }, null);
  await world.ctx.accounts.setPassword(user.id, 'correct horse battery'); // e.g. by the CLI: the invitation stays open
  const login = await request(world.app).post('/api/auth/login').send({ email: 'staff@example.test', password: 'correct horse battery' }).expect(200);
  const agent = request.agent(world.app);
  await agent.post('/api/auth/login').send({ email: 'staff@example.test', password: 'correct horse battery' }).expect(200);
  const me = await agent.get('/api/auth/me');
  const token = (await agent.post('/api/tokens').set('x-csrf-token', me.body.csrfToken).send({ name: 'script' }).expect(201)).body.token as string;
  expect(login.body.user.id).toBe(user.id);
  await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);

  await request(world.app).post('/api/auth/password-reset').send({ email: 'staff@example.test' }).expect(202);
  const resetToken = /reset-password\/([\w-]+)/.exec(sent[0]!.text)![1]!;
  await request(world.app).post(`/api/auth/password-reset/${resetToken}`).send({ password: 'a brand new password' }).expect(200);

  await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
  const open = world.ctx.db.prepare("SELECT COUNT(*) FROM user_tokens WHERE user_id = ? AND purpose = 'invitation' AND used_at IS NULL").pluck().get(user.id);
  expect(open).toBe(0);
});

test('when an API token is a year old, then it has expired; until then it shows when it was last used', async () => {
  const world = createTestWorld();
  const admin = await signIn(world, 'admin');
  const created = await admin.agent.post('/api/tokens').set('x-csrf-token', admin.csrf).send({ name: 'mis sync' }).expect(201);
  expect(created.body.expiresAt).toBe('2027-03-02T09:00:00.000Z');
  world.clock.advance(60_000);
  await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${created.body.token}`).expect(200);
  const list = await admin.agent.get('/api/tokens').expect(200);
  expect(list.body.tokens[0]).toMatchObject({ name: 'mis sync', lastUsedAt: '2026-03-02T09:01:00.000Z', expiresAt: '2027-03-02T09:00:00.000Z' });
  world.clock.advance(365 * 24 * 3600_000);
  await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${created.body.token}`).expect(401);
});

test('when an invitation is opened for an account that already has a password, then it is refused and the password stays', async () => {
  const world = createTestWorld();
  const { user, token } = world.ctx.accounts.createUserRecord({ email: 'p@example.test', name: 'P', role: 'parent' }, null);
  await world.ctx.accounts.setPassword(user.id, 'correct horse battery');
  await request(world.app).get(`/api/invitations/${token}`).expect(410);
  await request(world.app).post(`/api/invitations/${token}`).send({ password: 'the attacker password' }).expect(410);
  await request(world.app).post('/api/auth/login').send({ email: 'p@example.test', password: 'correct horse battery' }).expect(200);
});

test('when an account has never set a password (an import made it), then "forgotten password" sends nothing', async () => {
  const world = createTestWorld();
  const sent = captureMail(world);
  world.ctx.accounts.createUserRecord({ email: 'imported@example.test', name: 'Imported', role: 'parent' }, null);
  await request(world.app).post('/api/auth/password-reset').send({ email: 'imported@example.test' }).expect(202);
  expect(sent).toEqual([]);
  expect(world.ctx.db.prepare("SELECT COUNT(*) FROM user_tokens WHERE purpose = 'password_reset'").pluck().get()).toBe(0);
});

test.each([['an address with an account', true], ['an unknown address', false]])(
  'when password resets are asked for %s again and again, then the sixth in an hour is refused the same way', async (_c, exists) => {
    const world = createTestWorld();
    captureMail(world);
    const email = exists ? (await signIn(world, 'parent')).email : 'nobody@example.test';
    for (let i = 0; i < 5; i++) await request(world.app).post('/api/auth/password-reset').send({ email }).expect(202);
    const res = await request(world.app).post('/api/auth/password-reset').send({ email }).expect(429);
    expect(res.body.error.code).toBe('too_many_attempts');
  });

test('when one account\'s password is guessed from many addresses, then sign-in is limited for that account', async () => {
  const world = createTestWorld({ config: { TRUST_PROXY: 'loopback' } });
  const parent = await signIn(world, 'parent');
  const attempt = (ip: string, password = 'wrong password!') =>
    request(world.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ email: parent.email, password });
  for (let i = 0; i < 20; i++) expect((await attempt(`203.0.113.${i}`)).status).toBe(401);
  expect((await attempt('198.51.100.1')).status).toBe(429);
  expect((await attempt('198.51.100.2', 'correct horse battery')).status).toBe(429);
  const failures = world.ctx.audit.list({ action: 'user.sign_in_failed', subjectId: parent.id });
  expect(failures).toHaveLength(20);
  expect(failures[0]!.details).toEqual({ reason: 'wrong_password' });
});

test('when someone signs in with a hash made at the old scrypt cost, then it is re-hashed at OWASP\'s N=2^17', async () => {
  const base = createTestWorld();
  // The production cost, not the tests' cheaper one.
  const ctx = createContext({ ...base.ctx, passwordScryptN: undefined });
  const app = createApp(ctx);
  const { user } = ctx.accounts.createUserRecord({ email: 'old@example.test', name: 'Old', role: 'admin' }, null);
  ctx.accounts.repo.setPassword(user.id, await hashPassword('correct horse battery', 2 ** 15));
  await request(app).post('/api/auth/login').send({ email: 'old@example.test', password: 'correct horse battery' }).expect(200);
  const stored = ctx.db.prepare('SELECT password_hash FROM users WHERE id = ?').pluck().get(user.id) as string;
  expect(stored).toMatch(/^scrypt\$131072\$/);
  await request(app).post('/api/auth/login').send({ email: 'old@example.test', password: 'correct horse battery' }).expect(200);
});

test('when PUBLIC_URL is https, then the session cookie is Secure without setting SECURE_COOKIES', async () => {
  const world = createTestWorld({ config: { PUBLIC_URL: 'https://photos.school.example' } });
  const { user } = world.ctx.accounts.createUserRecord({ email: 'office@example.test', name: 'Office', role: 'admin' }, null);
  await world.ctx.accounts.setPassword(user.id, 'correct horse battery');
  const res = await request(world.app).post('/api/auth/login').set('Origin', 'https://photos.school.example')
    .send({ email: 'office@example.test', password: 'correct horse battery' }).expect(200);
  expect(res.headers['set-cookie'][0]).toMatch(/ss_session=.*; Secure/);
  const plain = createTestWorld({ config: { PUBLIC_URL: 'http://localhost:3000' } });
  expect(plain.config.SECURE_COOKIES).toBe(false);
});
