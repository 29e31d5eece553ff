import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { listen, rawRequest } from '../helpers/raw-http';
import { createPupil } from '../register/factories';

// Every malformed request gets a 4xx with a JSON error, changes nothing and is not logged as a
// fault of ours. Raw sockets for bodies supertest would not send.

const logLines: Array<{ level: number; msg: string }> = [];
const logger = pino({ level: 'info' }, new Writable({
  write(chunk, _enc, cb) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    cb();
  },
}));

let world: TestWorld;
let parent: SignedIn;
let admin: SignedIn;
let server: Awaited<ReturnType<typeof listen>>;
let cookie: string;

beforeAll(async () => {
  world = createTestWorld({ logger });
  parent = await signIn(world, 'parent');
  admin = await signIn(world, 'admin');
  server = await listen(world.app);
  const login = await request(world.app).post('/api/auth/login').send({ email: parent.email, password: 'correct horse battery' }).expect(200);
  cookie = String(login.headers['set-cookie']![0]).split(';')[0]!;
  parent.csrf = login.body.csrfToken;
});
afterAll(() => server.close());
beforeEach(() => { logLines.length = 0; });

const unhandled = () => logLines.filter((l) => l.level >= 50);

function multipart(body: string, contentType: string) {
  const bytes = Buffer.from(body, 'latin1');
  return rawRequest(server.port, `POST /api/checks HTTP/1.1
Host: 127.0.0.1
Cookie: ${cookie}
X-CSRF-Token: ${parent.csrf}
Content-Type: ${contentType}
Content-Length: ${bytes.length}`, bytes);
}

const part = (header: string) => `--XyZ\r\n${header}\r\nContent-Type: image/jpeg\r\n\r\nnot really a photo\r\n`;

test.each([
  ['a part header with a NUL byte', `${part('Content-Disposition: form-data; name="photos"; filename="a\0.jpg"')}--XyZ--\r\n`, 'multipart/form-data; boundary=XyZ'],
  ['a part header with a stray quote', `${part('Content-Disposition: form-data; name="pho"tos"; filename="a.jpg"')}--XyZ--\r\n`, 'multipart/form-data; boundary=XyZ'],
  ['a boundary that differs from the header\'s', `${part('Content-Disposition: form-data; name="photos"; filename="a.jpg"')}--XyZ--\r\n`, 'multipart/form-data; boundary=Other'],
  ['no closing boundary', part('Content-Disposition: form-data; name="photos"; filename="a.jpg"'), 'multipart/form-data; boundary=XyZ'],
  ['multipart/form-data without a boundary', `${part('Content-Disposition: form-data; name="photos"; filename="a.jpg"')}--XyZ--\r\n`, 'multipart/form-data'],
])('when a check upload has %s, then it is refused with a 4xx JSON error and nothing is stored', async (_what, body, type) => {
  const res = await multipart(body, type);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(JSON.parse(res.body).error.code).toEqual(expect.any(String));
  expect(fs.readdirSync(world.config.UPLOADS_DIR)).toEqual([]);
  expect(unhandled()).toEqual([]);
});

test('when a client hangs up half-way through an upload, then it is not logged as an error and the server carries on', async () => {
  const net = await import('node:net');
  await new Promise<void>((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(`POST /api/checks HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nX-CSRF-Token: ${parent.csrf}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n`);
      socket.write(part('Content-Disposition: form-data; name="photos"; filename="a.jpg"') + 'x'.repeat(5000));
      setTimeout(() => { socket.destroy(); resolve(); }, 200);
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  expect(unhandled()).toEqual([]);
  await parent.agent.get('/api/health').expect(200);
});

test('when the CSRF token has the right length but a non-ASCII character, then it is refused with 403, not 500', async () => {
  const forged = `é${parent.csrf.slice(1)}`;
  const res = await rawRequest(server.port, `POST /api/auth/logout HTTP/1.1
Host: 127.0.0.1
Cookie: ${cookie}
X-CSRF-Token: ${forged}
Content-Length: 0`);
  expect(res.status).toBe(403);
  expect(JSON.parse(res.body).error.code).toBe('csrf_failed');
  const asField = await parent.agent.post('/logout').type('form').send({ _csrf: forged });
  expect(asField.status).toBe(403);
  await parent.agent.get('/api/auth/me').expect(200); // still signed in
});

test.each([
  ['a Content-Encoding the server does not support', { 'Content-Type': 'application/json', 'Content-Encoding': 'x-unknown' }],
  ['JSON in an unsupported charset', { 'Content-Type': 'application/json; charset=latin9' }],
])('when a request body comes in %s, then it is refused with 415', async (_what, headers) => {
  const res = await request(world.app).post('/api/auth/login').set(headers).send('{"email":"a@b.c","password":"x"}');
  expect(res.status).toBe(415);
  expect(res.body.error.code).toBe('unsupported_media_type');
  expect(unhandled()).toEqual([]);
});

test.each(['0x1', '1e0', '%201', '1.0', '+1'])('when an id is written "%s", then it is refused with 400', async (id) => {
  if ((await admin.agent.get('/api/pupils/1')).status === 404) expect((await createPupil(admin)).id).toBe(1);
  await admin.agent.get('/api/pupils/1').expect(200);
  const res = await admin.agent.get(`/api/pupils/${id}`);
  expect(res.status).toBe(400);
  expect((await admin.agent.get(`/api/audit?limit=${id}`)).status).toBe(400);
});

test('when the API or a signed-in page answers, then it says Cache-Control: no-store; static files may be cached', async () => {
  expect((await admin.agent.get('/api/pupils').expect(200)).headers['cache-control']).toBe('no-store');
  expect((await admin.agent.get('/api/auth/me').expect(200)).headers['cache-control']).toBe('no-store');
  expect((await admin.agent.get('/office').set('Accept', 'text/html').expect(200)).headers['cache-control']).toBe('no-store');
  expect((await request(world.app).get('/api/nothing-here')).headers['cache-control']).toBe('no-store');
  expect((await request(world.app).get('/static/app.css').expect(200)).headers['cache-control']).not.toBe('no-store');
});

test('when the face engine is unavailable, then /api/health says degraded and why', async () => {
  const res = await request(world.app).get('/api/health').expect(200);
  expect(res.body).toEqual(expect.objectContaining({ status: 'degraded', reason: expect.stringContaining('face engine') }));
});
