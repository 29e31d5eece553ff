import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { createFaceEngine } from '../../src/features/faces';
import { measuredEngine } from '../../src/features/faces/measured-engine';
import type { FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { listen } from '../helpers/raw-http';
import { sample } from '../helpers/photos';

// Faults of the service's own dependencies (disk, engine, archive, sweeper): a stable error code,
// nothing left behind, and the process keeps running or exits cleanly for its supervisor.

let engine: FaceEngine;
let world: TestWorld;
let parent: SignedIn;
let photo: Buffer;

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  world = createTestWorld({ engine });
  parent = await signIn(world, 'parent');
  photo = await sharp(sample(2)).resize(800).jpeg().toBuffer();
});
afterAll(() => engine.close());
afterEach(() => jest.restoreAllMocks());

const check = (u: SignedIn = parent) =>
  u.agent.post('/api/checks').set('x-csrf-token', u.csrf).attach('photos', photo, { filename: 'a.jpg', contentType: 'image/jpeg' });

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });

test('when the disk is full while a check is saved, then the uploader gets 507 disk_full and no partial result stays', async () => {
  const real = fs.writeFileSync;
  jest.spyOn(fs, 'writeFileSync').mockImplementation((file, ...rest) => {
    if (String(file).endsWith('check.json')) throw enospc();
    return real(file, ...rest);
  });
  const res = await check();
  expect(res.status).toBe(507);
  expect(res.body.error.code).toBe('disk_full');
  expect(res.body.error.message).toMatch(/disk is full/);
  expect(fs.readdirSync(world.config.UPLOADS_DIR)).toEqual([]);
  jest.restoreAllMocks();
  expect((await check()).status).toBe(201); // space is back: the next check works
});

test('when the disk is full during an office import, then the office sees "the disk is full"', async () => {
  const admin = await signIn(world, 'admin');
  const csv = 'UPN,Legal Forename,Legal Surname,Reg Group,Year\nA123456789012,Ada,Lovelace,4C,4\n';
  const preview = await admin.agent.post('/office/import/preview').set('Accept', 'text/html')
    .field('_csrf', admin.csrf).attach('file', Buffer.from(csv), { filename: 'pupils.csv', contentType: 'text/csv' });
  const draftId = /name="draftId" value="([^"]+)"/.exec(preview.text)?.[1];
  expect(draftId).toBeDefined();
  jest.spyOn(world.ctx.register, 'importCsv').mockImplementation(() => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  });
  const res = await admin.agent.post('/office/import/commit').set('Accept', 'text/html').type('form').send({ _csrf: admin.csrf, draftId });
  expect(res.status).toBe(507);
  expect(res.text).toContain('The disk is full');
  expect(res.text).not.toContain('something went wrong');
});

test('when a previous process left .tmp folders, then the start-up sweep removes them whatever their age', async () => {
  const w = createTestWorld();
  const fresh = path.join(w.config.UPLOADS_DIR, `${'a'.repeat(32)}.tmp`);
  fs.mkdirSync(fresh);
  fs.writeFileSync(path.join(fresh, 'safe-0.jpg'), 'half');
  const stops = w.ctx.startBackground();
  expect(fs.existsSync(fresh)).toBe(false);
  for (const stop of stops) await stop();
});

test('when the uploads folder cannot be read, then the sweeper logs it and the process carries on', async () => {
  const w = createTestWorld();
  fs.rmSync(w.config.UPLOADS_DIR, { recursive: true });
  const stops = w.ctx.startBackground(); // threw ENOENT before, which inside setInterval ends the process
  for (const stop of stops) await stop();
});

test.each([
  ['vanishes between archiver\'s lstat and its read', 'vanish'],
  ['cannot be stat\'ed (archiver only warns, and used to send a zip without it)', 'eio'],
])('when a safe copy %s, then the zip download is cut short and nothing is left unhandled', async (_what, fault) => {
  const res = await check().expect(201);
  const realLstat = fs.lstat;
  jest.spyOn(fs, 'lstat').mockImplementation(((file: fs.PathLike, cb: (err: Error | null, st?: fs.Stats) => void) => {
    if (!String(file).endsWith('safe-0.jpg')) return realLstat(file, cb);
    if (fault === 'eio') return void setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, lstat'), { code: 'EIO' })));
    realLstat(file, (err, stats) => {
      fs.rmSync(file);
      cb(err, stats);
    });
  }) as typeof fs.lstat);
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  try {
    const server = await listen(world.app);
    const cookie = (await request(world.app).post('/api/auth/login').send({ email: parent.email, password: 'correct horse battery' })).headers['set-cookie']![0]!.split(';')[0]!;
    const outcome = await fetch(`http://127.0.0.1:${server.port}/api/checks/${res.body.id}/zip`, { headers: { cookie } })
      .then((r) => r.arrayBuffer()).then(() => 'complete', () => 'cut short');
    await new Promise((r) => setTimeout(r, 100));
    await server.close();
    expect(outcome).toBe('cut short');
    expect(rejections).toEqual([]);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  await parent.agent.get('/api/health').expect(200);
});

test('when a detector returns a NaN box, then the photo fails closed with engine_failed and nothing is stored', async () => {
  const nanEngine = await createFaceEngine({ workers: 1, workerFile: path.join(__dirname, '..', 'faces', 'fixtures', 'nan-box-worker.ts') });
  try {
    const w = createTestWorld({ engine: nanEngine });
    const u = await signIn(w, 'parent');
    const res = await check(u);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('engine_failed');
    expect(fs.readdirSync(w.config.UPLOADS_DIR)).toEqual([]);
  } finally {
    await nanEngine.close();
  }
});

test.each([
  ['an unhandled rejection', 'Promise.reject(new Error("boom"))'],
  ['an uncaught exception', 'setTimeout(() => { throw new Error("boom"); }, 0)'],
])('when the server process meets %s, then it is logged and the process exits non-zero', (_what, code) => {
  const script = `
    const { installProcessGuard } = require('./src/platform/process-guard');
    const { createLogger } = require('./src/platform/logger');
    installProcessGuard(createLogger('info'));
    ${code};
    setTimeout(() => { console.log('still running'); }, 500);`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', timeout: 30_000 });
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('exiting so the supervisor restarts the service');
  expect(run.stdout).not.toContain('still running');
});

test('when the Dockerfile health check runs against a running service, then it passes', async () => {
  const line = fs.readFileSync(path.join(__dirname, '..', '..', 'Dockerfile'), 'utf8').split('\n').find((l) => l.startsWith('HEALTHCHECK'));
  const command = /CMD node -e "(.*)"$/.exec(line ?? '')?.[1];
  expect(command).toContain('/api/health');
  const exitCode = (port: number) => new Promise<number | null>((resolve) => {
    execFile(process.execPath, ['-e', command!], { env: { ...process.env, PORT: String(port) }, timeout: 10_000 }, (err) =>
      resolve(err ? (typeof err.code === 'number' ? err.code : null) : 0));
  });
  const server = await listen(world.app);
  try {
    expect(await exitCode(server.port)).toBe(0);
  } finally {
    await server.close();
  }
  expect(await exitCode(1)).toBe(1);
});

test('when the embedded engine is measured, then /metrics (with its token) shows its pool and each analysis\'s outcome', async () => {
  const token = 'metrics-token-embedded-0123';
  const w = createTestWorld({ engine: measuredEngine(engine), config: { METRICS_TOKEN: token } });
  const p = await signIn(w, 'parent');
  expect((await check(p)).status).toBe(201);
  const bad = await p.agent.post('/api/checks').set('x-csrf-token', p.csrf).attach('photos', Buffer.from('not a photo'), { filename: 'a.jpg', contentType: 'image/jpeg' });
  expect(bad.status).toBe(415);
  await request(w.app).get('/metrics').expect(401);
  const res = await request(w.app).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
  expect(res.text).toMatch(/^sharesafe_face_workers 1$/m);
  expect(res.text).toMatch(/^sharesafe_face_queue_jobs\{state="waiting"\} 0$/m);
  expect(res.text).toMatch(/^sharesafe_face_analyses_total\{outcome="completed"\} [1-9]/m);
  expect(res.text).not.toMatch(/sharesafe_redis_up \d/);
  // Embedded health is as before: no queue block.
  const health = await request(w.app).get('/api/health').expect(200);
  expect(health.body).toEqual({ status: 'ok', engine: engine.backend, workers: 1 });
});
