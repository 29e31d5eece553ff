import request from 'supertest';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';

// Cross-site requests are refused on every unsafe request, sign-in included; the CSRF token
// travels in a header or a body field (multipart: the first field), never in the URL.

let world: TestWorld;
let admin: SignedIn;
const HTML = { Accept: 'text/html' };
const csv = 'UPN,Forename,Surname,Year,Reg Group\nA123456789012,Amy,Adams,3,3B\n';

beforeAll(async () => {
  world = createTestWorld();
  admin = await signIn(world, 'admin');
  await signIn(world, 'parent', { email: 'attacker@example.test' });
});

test.each([
  ['a foreign Origin', { Origin: 'https://evil.example' }],
  ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
  ['Origin: null (a sandboxed frame)', { Origin: 'null' }],
])('when a sign-in form is posted from another site (%s), then it is refused and no session is set', async (_what, headers) => {
  const res = await request(world.app).post('/login').set(headers).set(HTML).type('form')
    .send({ email: 'attacker@example.test', password: 'correct horse battery' });
  expect(res.status).toBe(403);
  expect(res.headers['set-cookie'] ?? []).toEqual([]);
  const api = await request(world.app).post('/api/auth/login').set(headers).send({ email: 'attacker@example.test', password: 'correct horse battery' });
  expect(api.status).toBe(403);
  expect(api.body.error.code).toBe('csrf_failed');
});

test('when a sign-in comes from the service\'s own pages, then it works', async () => {
  const own = await request(world.app).post('/login').set({ Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-origin' }).type('form')
    .send({ email: 'attacker@example.test', password: 'correct horse battery' });
  expect(own.status).toBe(303);
  expect(String(own.headers['set-cookie'])).toContain('ss_session=');
});

test('when a signed-in user\'s form is posted from another site with the right token, then it is still refused', async () => {
  const res = await admin.agent.post('/api/pupils').set({ 'x-csrf-token': admin.csrf, Origin: 'https://evil.example' })
    .send({ firstName: 'Ada', lastName: 'Lovelace', className: '4C', yearGroup: 'Y4' });
  expect(res.status).toBe(403);
  expect(world.ctx.register.registerRows()).toHaveLength(0);
});

test('when the CSRF token is sent in the query string, then it is refused', async () => {
  const res = await admin.agent.post(`/office/import/preview?_csrf=${encodeURIComponent(admin.csrf)}`).set(HTML)
    .attach('file', Buffer.from(csv), 'pupils.csv');
  expect(res.status).toBe(403);
  await admin.agent.post(`/logout?_csrf=${encodeURIComponent(admin.csrf)}`).set(HTML).type('form').send({}).expect(403);
});

test('when a multipart form sends _csrf as its first field, then it is accepted and the upload is read whole', async () => {
  const res = await admin.agent.post('/office/import/preview').set(HTML).field('_csrf', admin.csrf)
    .attach('file', Buffer.from(csv), 'pupils.csv');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Import now');
});

test('when a multipart form sends _csrf after the file, or a wrong one, then it is refused', async () => {
  const late = await admin.agent.post('/office/import/preview').set(HTML)
    .attach('file', Buffer.from(csv), 'pupils.csv').field('_csrf', admin.csrf);
  expect(late.status).toBe(403);
  const wrong = await admin.agent.post('/office/import/preview').set(HTML).field('_csrf', 'x'.repeat(admin.csrf.length))
    .attach('file', Buffer.from(csv), 'pupils.csv');
  expect(wrong.status).toBe(403);
});

test('when a large multipart upload carries its token first, then the whole body still reaches the parser', async () => {
  const big = `UPN,Forename,Surname,Year,Reg Group\n${Array.from({ length: 3000 }, (_, i) => `,Child${i},Surname${i},3,3B`).join('\n')}\n`;
  const res = await admin.agent.post('/office/import/preview').set(HTML).field('_csrf', admin.csrf)
    .attach('file', Buffer.from(big), 'pupils.csv');
  expect(res.status).toBe(200);
  expect(res.text).toMatch(/<span class="office-tile-count">3000<\/span>/);
});
