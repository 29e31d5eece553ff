// The face engine behind a BullMQ queue: a real redis-server on loopback, real worker processes
// (src/worker-main.ts, real models) and schools' services (createApp with the queue engine).
// Workers are shared by the whole file (each loads the models, seconds); the tests that kill
// workers start replacements.
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import request from 'supertest';
import { createQueueFaceEngine } from '../../src/features/faces/queue-engine';
import { measuredEngine } from '../../src/features/faces/measured-engine';
import type { FaceEngine } from '../../src/features/faces/types';
import { silentLogger } from '../../src/platform/logger';
import { PREFIX } from '../../src/platform/queue/keys';
import { createTestWorld, downloadBinary, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { startWorker, type WorkerProcess } from '../helpers/face-workers';
import { cropFace, sample } from '../helpers/photos';
import { describeRedis, startRedis, type RedisServer } from '../helpers/redis';
import { addPupil, enrol, giveBiometricConsent, linkParent } from '../helpers/register';
import { panClip, tmpDir } from '../videos/clips';

jest.setTimeout(120_000);

let redis: RedisServer;
let inspect: Redis;
const workers: WorkerProcess[] = [];
const engines: FaceEngine[] = [];
let photo: Buffer;
/** ~12 MP: a few seconds per analysis here, long enough to act while a worker has it. */
let bigPhoto: Buffer;

const METRICS_TOKEN = 'metrics-token-0123456789';

async function queueEngine(school: string, opts: { maxQueue?: number; deadlineMs?: number } = {}): Promise<FaceEngine> {
  const engine = measuredEngine(await createQueueFaceEngine({ redisUrl: redis.url, school, maxQueue: opts.maxQueue ?? 32, deadlineMs: opts.deadlineMs, logger: silentLogger }));
  engines.push(engine);
  return engine;
}

async function schoolWorld(school: string, opts: { maxQueue?: number } = {}): Promise<{ world: TestWorld; parent: SignedIn }> {
  const engine = await queueEngine(school, opts);
  const world = createTestWorld({ engine, config: { MAX_CHECKS_IN_FLIGHT: '16', MAX_CHECKS_PER_USER: '16', METRICS_TOKEN } });
  return { world, parent: await signIn(world, 'parent') };
}

const check = (u: SignedIn, body: Buffer = photo) =>
  u.agent.post('/api/checks').set('x-csrf-token', u.csrf).attach('photos', body, { filename: 'a.jpg', contentType: 'image/jpeg' });

/** Keys a finished job may leave behind: none (payloads and results are deleted at once). */
const leftovers = async () => [...await inspect.keys(`${PREFIX}:payload:*`), ...await inspect.keys(`${PREFIX}:result:*`)];

/** Waits until a worker holds a job of this school's queue; returns that worker. `starting`: a
 *  worker not yet in `workers` that may take it first. */
async function holderOf(school: string, notOn?: WorkerProcess, starting?: Promise<WorkerProcess>): Promise<WorkerProcess> {
  const queue = new Queue(`photo-${school}`, { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  let started: WorkerProcess | undefined;
  void starting?.then((w) => { started = w; });
  try {
    for (let i = 0; i < 600; i += 1) {
      const active = await queue.getActive();
      const holder = [...workers, ...(started ? [started] : [])].find((w) => w.id === active[0]?.processedBy && w !== notOn);
      if (holder) return holder;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no worker took the job');
  } finally {
    await queue.close();
  }
}

describeRedis('face engine on a BullMQ queue', () => {
  beforeAll(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url);
    workers.push(...await Promise.all([startWorker(redis.url), startWorker(redis.url)]));
    photo = await sharp(sample(2)).resize(800).jpeg().toBuffer();
    bigPhoto = await sharp(sample(1)).resize(4000).jpeg({ quality: 90 }).toBuffer();
  }, 240_000);

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await Promise.all(workers.map((w) => w.kill()));
    inspect?.disconnect();
    await redis?.stop();
  });

  test('when a parent checks a photo through HTTP with worker processes, then their own child is visible, everyone else blurred, and nothing stays in Redis', async () => {
    const { world, parent } = await schoolWorld('school-a');
    const office = await signIn(world, 'admin');
    // The references go through the queue too: descriptors must arrive intact to match.
    const people = (await world.ctx.engine.analyse(sample(5))).faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x);
    expect(people).toHaveLength(5);
    const amy = await addPupil(office, 'Amy');
    await giveBiometricConsent(office, amy);
    expect((await enrol(office, amy, await cropFace(sample(5), people[0]!.box))).status).toBe(201);
    await linkParent(office, amy, parent.id);

    const res = await check(parent, sample(5));
    expect(res.status).toBe(201);
    const report = res.body.photos[0];
    const outcomes = report.faces.filter((f: { score?: number }) => f.score === undefined || f.score >= 0.9).map((f: { outcome: string }) => f.outcome);
    expect(outcomes.filter((o: string) => o === 'own_child')).toHaveLength(1);
    expect(report.faces.filter((f: { outcome: string }) => f.outcome === 'visible')).toHaveLength(0);
    const copy = await downloadBinary(parent, report.safeCopyUrl);
    expect((await sharp(copy).metadata()).width).toBe(1920);
    expect(await leftovers()).toEqual([]);
  });

  test('when a parent checks a video in queue mode, then the worker processes analyse its frames, faces are blurred, and nothing stays in Redis', async () => {
    const { world, parent } = await schoolWorld('school-v');
    const analysed = async () => {
      const text = (await request(world.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
      return Number(/^sharesafe_face_analyses_total\{outcome="completed"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await analysed();
    const sent = await parent.agent.post('/api/videos').set('x-csrf-token', parent.csrf)
      .attach('video', fs.readFileSync(panClip(tmpDir(), 1)), { filename: 'IMG_0042.MOV', contentType: 'video/quicktime' }).expect(202);
    let status = sent.body;
    for (let i = 0; i < 900 && (status.state === 'queued' || status.state === 'running'); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await parent.agent.get(`/api/videos/${sent.body.id}`).expect(200)).body;
    }
    expect(status.state).toBe('done');
    // Sample5's five people, none of them known to this school: all blurred.
    expect(status.result.counts.blurred).toBeGreaterThanOrEqual(5);
    expect(status.result.counts.visible + status.result.counts.own_child).toBe(0);
    // Every sampled frame (3 a second, and the last) went through the queue to a worker.
    expect(await analysed() - before).toBeGreaterThanOrEqual(3);
    expect(await leftovers()).toEqual([]);
  });

  test('when queue mode runs, then /api/health reports the queue, the workers seen and the oldest waiting photo, and /metrics needs its token', async () => {
    const { world } = await schoolWorld('school-h');
    const res = await request(world.app).get('/api/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', engine: 'queue', workers: 2, queue: { school: 'school-h', redis: 'up', waiting: 0, active: 0, oldestWaitingSeconds: null, workersSeen: 2 } });
    await request(world.app).get('/metrics').expect(401);
    await request(world.app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
    await check((await signIn(world, 'parent'))).expect(201);
    const metrics = await request(world.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^sharesafe_face_queue_jobs\{state="waiting"\} 0$/m);
    expect(metrics.text).toMatch(/^sharesafe_face_workers 2$/m);
    expect(metrics.text).toMatch(/^sharesafe_face_analyses_total\{outcome="completed"\} [1-9]/m);
    expect(metrics.text).toMatch(/^sharesafe_face_analysis_seconds_count\{outcome="completed"\} [1-9]/m);
    expect(metrics.text).toMatch(/^sharesafe_redis_up 1$/m);
    // Without a token configured there is no /metrics at all.
    const plain = createTestWorld({ engine: world.ctx.engine });
    await request(plain.app).get('/metrics').expect(404);
  });

  test('when school A sends a burst of photos just before school B sends one, then B waits for at most two of A\'s', async () => {
    const a = await queueEngine('school-f1');
    const b = await queueEngine('school-f2');
    await new Promise((r) => setTimeout(r, 1500)); // workers notice new schools' queues within a second
    const done: string[] = [];
    const burst = Array.from({ length: 6 }, (_, i) => a.analyse(photo).then(() => done.push(`a${i}`)));
    await new Promise((r) => setTimeout(r, 50));
    const single = b.analyse(photo).then(() => done.push('b'));
    await Promise.all([...burst, single]);
    // First come, first served would finish all six of A's first. Round-robin starts B as soon as
    // one of the two A photos the workers hold ends; it finishes after at most those two and the
    // A photo the other worker started about the same time (completion order, on a busy machine).
    expect(done.indexOf('b')).toBeLessThanOrEqual(3);
    expect(done).toHaveLength(7);
  });

  test('when a school\'s backlog is full, then further checks get 503 busy with Retry-After, and none is lost', async () => {
    const { world } = await schoolWorld('school-bp', { maxQueue: 2 });
    const parents = await Promise.all(Array.from({ length: 8 }, () => signIn(world, 'parent')));
    const results = await Promise.all(parents.map((p) => check(p, sample(1))));
    const statuses = results.map((r) => r.status).sort();
    for (const r of results) {
      if (r.status === 503) {
        expect(r.body.error.code).toBe('busy');
        expect(r.headers['retry-after']).toBe('30');
      } else {
        expect(r.status).toBe(201);
      }
    }
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(fs.readdirSync(world.config.UPLOADS_DIR).filter((d) => !d.endsWith('.tmp'))).toHaveLength(statuses.filter((s) => s === 201).length);
    expect(await leftovers()).toEqual([]);
  });

  test('when a worker is killed (SIGKILL) while it has a photo, then the photo is finished by the other worker', async () => {
    const { world, parent } = await schoolWorld('school-k1');
    const pending = check(parent, bigPhoto).then((r) => r); // supertest sends on then()
    const holder = await holderOf('school-k1');
    await holder.kill();
    workers.splice(workers.indexOf(holder), 1);
    const replacement = startWorker(redis.url); // for the next tests
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.body.photos[0].faces.length).toBeGreaterThanOrEqual(3);
    expect(res.body.photos[0].faces.every((f: { outcome: string }) => f.outcome === 'blurred')).toBe(true);
    expect(fs.readdirSync(world.config.UPLOADS_DIR)).toHaveLength(1);
    workers.push(await replacement);
  }, 200_000);

  test('when the worker that retries a killed worker\'s photo is killed too, then the check fails closed with engine_failed and no copy', async () => {
    const { world, parent } = await schoolWorld('school-k2');
    const pending = check(parent, bigPhoto).then((r) => r); // supertest sends on then()
    const first = await holderOf('school-k2');
    await first.kill();
    workers.splice(workers.indexOf(first), 1);
    const spare = startWorker(redis.url); // someone must notice the second stall
    const second = await holderOf('school-k2', first, spare);
    await second.kill();
    if (workers.includes(second)) workers.splice(workers.indexOf(second), 1);
    const spareWorker = await spare;
    if (spareWorker !== second) workers.push(spareWorker);
    else workers.push(await startWorker(redis.url)); // the spare took it and was killed: one more
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('engine_failed');
    expect(fs.readdirSync(world.config.UPLOADS_DIR)).toEqual([]);
    expect(await leftovers()).toEqual([]);
  }, 300_000);

  // Each worker has one face thread (and holds no photo ahead: QUEUE_PREFETCH 0). With every
  // thread busy with a big photo, school d2's photo waits in Redis. (A photo held ahead by a
  // worker and given up before its deadline: tests/queue/prefetch.test.ts.)
  test('when a photo waits past its deadline, then the school answers busy (503, try again) and no worker delivers it late', async () => {
    const big = workers.length;
    const busyEngine = await queueEngine('school-d1');
    const late = await queueEngine('school-d2', { deadlineMs: 500 });
    await new Promise((r) => setTimeout(r, 1500));
    const occupying = Array.from({ length: big }, () => busyEngine.analyse(bigPhoto).catch((e: unknown) => e)); // settled either way: a failure here must not spill into the next test
    const busyQueue = new Queue('photo-school-d1', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
    for (let i = 0; i < 600 && (await busyQueue.getJobCounts('active')).active !== big; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect((await busyQueue.getJobCounts('active')).active).toBe(big);
    await busyQueue.close();
    await expect(late.analyse(photo)).rejects.toMatchObject({ code: 'busy', status: 503 });
    await Promise.all(occupying);
    const queue = new Queue('photo-school-d2', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
    expect(await queue.getJobCounts('wait', 'active', 'completed')).toEqual({ wait: 0, active: 0, completed: 0 });
    await queue.close();
    expect(await leftovers()).toEqual([]);
  });

  test('when Redis restarts while a worker has the photo, then the check fails closed with no copy, and the next check works once Redis is back', async () => {
    const { world, parent } = await schoolWorld('school-r');
    const pending = check(parent, bigPhoto).then((r) => r); // supertest sends on then()
    await holderOf('school-r');
    await redis.restart();
    const res = await pending;
    expect([201, 503]).toContain(res.status);
    if (res.status === 503) {
      expect(res.body.error.code).toBe('engine_failed');
      expect(fs.readdirSync(world.config.UPLOADS_DIR)).toEqual([]);
    }
    // The service and the workers reconnect on their own.
    for (let i = 0; i < 100; i += 1) {
      const h = await request(world.app).get('/api/health');
      if (h.body.queue?.redis === 'up' && h.body.queue.workersSeen >= 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500)); // workers re-read the (empty) registry
    const again = await check(parent);
    expect(again.status).toBe(201);
    expect(path.basename(again.body.photos[0].safeCopyUrl)).toBeTruthy();
  });

  test('when a worker is stopped (SIGTERM) while it has a photo, then it finishes that photo first and exits cleanly', async () => {
    const { parent } = await schoolWorld('school-t');
    await new Promise((r) => setTimeout(r, 1500));
    const pending = check(parent, bigPhoto).then((r) => r);
    const holder = await holderOf('school-t');
    const code = holder.stop();
    const res = await pending;
    expect(res.status).toBe(201);
    expect(await code).toBe(0);
    expect(holder.log()).toMatch(/face worker stopping[^]*"outcome":"completed"/);
    workers.splice(workers.indexOf(holder), 1);
  });
});
