import request from 'supertest';
import { createTestWorld, signIn } from '../helpers/context';
import { bootstrapFirstAdmin } from '../../src/features/accounts/first-admin';

describe('accounts', () => {
  test('when the first admin follows the setup link, then they can set a password and sign in', async () => {
    const world = createTestWorld();
    const url = bootstrapFirstAdmin(world.ctx.accounts)!;
    expect(url).toMatch(/\/invite\/[\w-]+$/);
    const token = url.split('/').pop()!;
    await request(world.app).get(`/api/invitations/${token}`).expect(200);
    const accepted = await request(world.app).post(`/api/invitations/${token}`).send({ password: 'a long enough password' }).expect(201);
    expect(accepted.body.user.role).toBe('admin');
    expect(accepted.headers['set-cookie'][0]).toMatch(/ss_session=.*HttpOnly/);
    // The link is single use, and no second link is printed once an admin has a password.
    const again = await request(world.app).post(`/api/invitations/${token}`).send({ password: 'a long enough password' }).expect(410);
    expect(again.body.error.code).toBe('gone');
    expect(bootstrapFirstAdmin(world.ctx.accounts)).toBeNull();
  });

  test('when the password is wrong, then sign-in fails with 401 and no cookie', async () => {
    const world = createTestWorld();
    const admin = await signIn(world, 'admin');
    const res = await request(world.app).post('/api/auth/login').send({ email: admin.email, password: 'wrong password!' }).expect(401);
    expect(res.body.error.code).toBe('invalid_credentials');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('when a cookie session posts without the CSRF token, then it is refused', async () => {
    const world = createTestWorld();
    const admin = await signIn(world, 'admin');
    await admin.agent.post('/api/tokens').send({ name: 'script' }).expect(403);
    await admin.agent.post('/api/tokens').set('x-csrf-token', admin.csrf).send({ name: 'script' }).expect(201);
  });

  test('when a script uses an API token, then it acts as its owner until revoked', async () => {
    const world = createTestWorld();
    const admin = await signIn(world, 'admin');
    const created = await admin.agent.post('/api/tokens').set('x-csrf-token', admin.csrf).send({ name: 'mis sync' }).expect(201);
    const token = created.body.token as string;
    const me = await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body.user.id).toBe(admin.id);
    await admin.agent.delete(`/api/tokens/${created.body.id}`).set('x-csrf-token', admin.csrf).expect(204);
    await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  test('when a parent asks for the user list, then it is forbidden', async () => {
    const world = createTestWorld();
    const parent = await signIn(world, 'parent');
    const res = await parent.agent.get('/api/users').expect(403);
    expect(res.body.error.code).toBe('forbidden');
    await request(world.app).get('/api/users').expect(401);
  });

  test('when a password reset link is used after an hour, then it has expired', async () => {
    const world = createTestWorld();
    const parent = await signIn(world, 'parent');
    const sent: string[] = [];
    world.ctx.mailer.send = async (m) => { sent.push(m.text); return { messageId: 'x' }; };
    await request(world.app).post('/api/auth/password-reset').send({ email: parent.email }).expect(202);
    await request(world.app).post('/api/auth/password-reset').send({ email: 'nobody@example.test' }).expect(202);
    expect(sent).toHaveLength(1);
    const token = /reset-password\/([\w-]+)/.exec(sent[0]!)![1];
    world.clock.advance(61 * 60 * 1000);
    await request(world.app).post(`/api/auth/password-reset/${token}`).send({ password: 'a brand new password' }).expect(410);
  });
});

test('when someone keeps guessing a password, then sign-in is refused with 429 even for the right one', async () => {
  const world = createTestWorld();
  const admin = await signIn(world, 'admin');
  for (let i = 0; i < 10; i++) {
    await request(world.app).post('/api/auth/login').send({ email: admin.email, password: `guess number ${i}` }).expect(401);
  }
  const res = await request(world.app).post('/api/auth/login').send({ email: admin.email, password: 'correct horse battery' });
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('too_many_attempts');
});
