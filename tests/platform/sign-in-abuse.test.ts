import request from 'supertest';
import { createTestWorld } from '../helpers/context';

// Password spraying: one address trying one password on many accounts is slowed, not only one
// address on one account; and a client cannot pick its own address with X-Forwarded-For.

const attempt = (app: Parameters<typeof request>[0], email: string, forwardedFor?: string) => {
  const req = request(app).post('/api/auth/login');
  if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
  return req.send({ email, password: 'Summer2026!' });
};

test('when one address fails to sign in to many different accounts, then it is limited per address', async () => {
  const world = createTestWorld({ config: { SIGN_IN_ATTEMPTS_PER_ADDRESS: '5' } });
  for (let i = 0; i < 5; i++) expect((await attempt(world.app, `victim${i}@example.test`)).status).toBe(401);
  const res = await attempt(world.app, 'victim99@example.test');
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('too_many_attempts');
});

test('when TRUST_PROXY is not set, then X-Forwarded-For does not give a client a fresh address', async () => {
  const world = createTestWorld({ config: { SIGN_IN_ATTEMPTS_PER_ADDRESS: '3' } });
  for (let i = 0; i < 3; i++) await attempt(world.app, `a${i}@example.test`, `203.0.113.${i}`);
  expect((await attempt(world.app, 'b@example.test', '198.51.100.7')).status).toBe(429);
});

test('when TRUST_PROXY names the proxy, then each forwarded client has its own allowance', async () => {
  const world = createTestWorld({ config: { SIGN_IN_ATTEMPTS_PER_ADDRESS: '3', TRUST_PROXY: 'loopback' } });
  for (let i = 0; i < 3; i++) await attempt(world.app, `a${i}@example.test`, '203.0.113.1');
  expect((await attempt(world.app, 'b@example.test', '203.0.113.1')).status).toBe(429);
  expect((await attempt(world.app, 'b@example.test', '198.51.100.7')).status).toBe(401);
});

test('when SECURE_COOKIES is true, then the office flash cookie (it can name a pupil) is Secure', async () => {
  const world = createTestWorld({ config: { SECURE_COOKIES: 'true' } });
  const { user } = world.ctx.accounts.createUserRecord({ email: 'office@example.test', name: 'Office', role: 'admin' }, null);
  await world.ctx.accounts.setPassword(user.id, 'correct horse battery');
  const login = await request(world.app).post('/api/auth/login').send({ email: 'office@example.test', password: 'correct horse battery' }).expect(200);
  const admin = { csrf: login.body.csrfToken as string };
  // The session cookie is Secure too, so supertest (plain http) would not send it back by itself.
  const cookie = String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
  const res = await request(world.app).post('/office/pupils').set('Cookie', cookie).type('form')
    .send({ _csrf: admin.csrf, firstName: 'Ada', lastName: 'Lovelace', className: '4C', yearGroup: 'Y4' });
  expect(res.status).toBe(303);
  const flash = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('ss_office_flash='));
  expect(flash).toMatch(/;\s*Secure/i);
});
