import net from 'node:net';
import request from 'supertest';
import { createTestWorld, type TestWorld } from '../helpers/context';
import { listen, rawRequest } from '../helpers/raw-http';

// Admission runs before a byte of the upload is read: per user as well as in total, and with a
// cap on the declared size of the whole request.

let world: TestWorld;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  world = createTestWorld({ config: { MAX_CHECKS_IN_FLIGHT: '8', MAX_CHECKS_PER_USER: '2', MAX_CHECK_REQUEST_MB: '10' } });
  server = await listen(world.app);
});
afterAll(() => server.close());

async function session(email: string) {
  const { user } = world.ctx.accounts.createUserRecord({ email, name: 'Parent', role: 'parent' }, null);
  await world.ctx.accounts.setPassword(user.id, 'correct horse battery');
  const login = await request(world.app).post('/api/auth/login').send({ email, password: 'correct horse battery' }).expect(200);
  return { cookie: String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!, csrf: login.body.csrfToken as string };
}

const head = (s: { cookie: string; csrf: string }, extra: string) => `POST /api/checks HTTP/1.1
Host: 127.0.0.1
Cookie: ${s.cookie}
X-CSRF-Token: ${s.csrf}
Content-Type: multipart/form-data; boundary=XyZ
${extra}`;

/** A slow upload: headers and the start of a body that never finishes, holding its slot. */
function slowUpload(s: { cookie: string; csrf: string }): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(`${head(s, 'Content-Length: 1000000').replace(/\n/g, '\r\n')}\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n\r\nabc`);
      setTimeout(() => resolve(socket), 100);
    });
  });
}

test('when one parent already has two checks uploading, then a third is refused busy with Retry-After while another parent gets in', async () => {
  const a = await session('a@example.test');
  const b = await session('b@example.test');
  const held = [await slowUpload(a), await slowUpload(a)];
  try {
    const third = await rawRequest(server.port, head(a, 'Content-Length: 0'));
    expect(third.status).toBe(503);
    expect(JSON.parse(third.body).error.code).toBe('busy');
    expect(third.headers['retry-after']).toBe('30');
    const other = await rawRequest(server.port, head(b, 'Content-Length: 9'), '--XyZ--\r\n');
    expect(other.status).toBe(400); // admitted: refused only for carrying no photo
    expect(JSON.parse(other.body).error.message).toMatch(/at least one photo/);
  } finally {
    for (const s of held) s.destroy();
  }
  await new Promise((r) => setTimeout(r, 100));
  const again = await rawRequest(server.port, head(a, 'Content-Length: 9'), '--XyZ--\r\n');
  expect(again.status).toBe(400); // the slots were given back when the uploads hung up
});

test('when a check request declares more than the per-request total, then it is refused 413 before its body is read', async () => {
  const s = await session('c@example.test');
  const res = await rawRequest(server.port, head(s, `Content-Length: ${11 * 1024 * 1024}`));
  expect(res.status).toBe(413);
  expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
});

test('when a check request does not declare its length (chunked), then it is refused 411', async () => {
  const s = await session('d@example.test');
  const res = await rawRequest(server.port, head(s, 'Transfer-Encoding: chunked'), '0\r\n\r\n');
  expect(res.status).toBe(411);
  expect(JSON.parse(res.body).error.code).toBe('length_required');
});
