// npm run bench -- --queue [--runs N]
// The face engine behind the BullMQ queue against the in-process engine, on this machine: a real
// redis-server on loopback (tests/helpers/redis.ts), real worker processes (src/worker-main.ts,
// FACE_WORKERS=1 each), school services as queue engines in this process (they only send jobs).
//   1. added latency per photo: the same photos one at a time through each engine (medians), and
//      the queue's own share (school's round trip minus the worker's time for the same photo);
//   2. throughput (photos/s) with 1 and 2 worker processes against 1 and 2 school services, and
//      the in-process engine with 2 threads;
//   3. a load run: 3 school services, 2 workers, 300 photos in one burst through HTTP (the real
//      check route): every one completes or gets 503 with Retry-After; per-school times.
import os from 'node:os';
import sharp from 'sharp';
import request from 'supertest';
import { createFaceEngine } from '../src/features/faces/engine';
import { createQueueFaceEngine } from '../src/features/faces/queue-engine';
import type { FaceEngine } from '../src/features/faces/types';
import { silentLogger } from '../src/platform/logger';
import { createTestWorld, signIn } from '../tests/helpers/context';
import { startWorker, type WorkerProcess } from '../tests/helpers/face-workers';
import { sample } from '../tests/helpers/photos';
import { startRedis } from '../tests/helpers/redis';
import { median, throughput } from './throughput';

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Math.max(1, Number(argv[argv.indexOf('--runs') + 1]) || 3) : 3;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const load = () => os.loadavg().map((l) => l.toFixed(1)).join('/');

async function sequential(engine: FaceEngine, photos: Buffer[]): Promise<{ total: number[]; worker: number[] }> {
  const total: number[] = [];
  const worker: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    for (const p of photos) {
      const t0 = performance.now();
      const a = await engine.analyse(p);
      total.push(performance.now() - t0);
      if (a.timings.worker !== undefined) worker.push(a.timings.worker);
    }
  }
  return { total, worker };
}

async function main(): Promise<void> {
  console.log(`ShareSafe queue bench: runs=${runs}, cores=${os.availableParallelism()}, load=${load()}`);
  const photos = [1, 2, 3, 4, 5, 6].map(sample);
  const redis = await startRedis();
  const workers: WorkerProcess[] = [];
  const engines: FaceEngine[] = [];
  const school = async (id: string) => {
    const e = await createQueueFaceEngine({ redisUrl: redis.url, school: id, maxQueue: 32, logger: silentLogger });
    engines.push(e);
    return e;
  };
  try {
    // ---- 1. latency, one photo at a time ----------------------------------------------------
    const inProcess1 = await createFaceEngine({ workers: 1 });
    await sequential(inProcess1, photos.slice(0, 2)); // warm-up
    const local = await sequential(inProcess1, photos);
    await inProcess1.close();
    workers.push(await startWorker(redis.url));
    const a = await school('bench-a');
    await new Promise((r) => setTimeout(r, 1500));
    await sequential(a, photos.slice(0, 2)); // warm-up
    const queued = await sequential(a, photos);
    const own = queued.total.map((t, i) => t - queued.worker[i]!);
    console.log(`\n1. latency per 1920 px photo, one at a time (${photos.length} photos x ${runs} runs; load ${load()})`);
    console.log(`   in-process engine, 1 thread:       median ${ms(median(local.total))}`);
    console.log(`   queue, 1 worker process:            median ${ms(median(queued.total))}  (added: ${ms(median(queued.total) - median(local.total))})`);
    console.log(`   queue's own share (round trip - worker's time): median ${ms(median(own))}, max ${ms(Math.max(...own))}`);

    // ---- 2. throughput ----------------------------------------------------------------------
    const rows: Array<[string, number]> = [];
    rows.push(['queue: 1 worker, 1 school', await throughput([a], photos, 4, runs)]);
    const b = await school('bench-b');
    await new Promise((r) => setTimeout(r, 1500));
    rows.push(['queue: 1 worker, 2 schools', await throughput([a, b], photos, 4, runs)]);
    workers.push(await startWorker(redis.url));
    await new Promise((r) => setTimeout(r, 1500));
    rows.push(['queue: 2 workers (all cores each), 1 school', await throughput([a], photos, 4, runs)]);
    // Two processes on one machine: each takes its share of the cores (FACE_CORES), as the
    // in-process engine's two threads do; with all cores each, 4 onnxruntime threads share 2.
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    workers.push(...await Promise.all([startWorker(redis.url, { FACE_CORES: '1' }), startWorker(redis.url, { FACE_CORES: '1' })]));
    const inProcess2 = await createFaceEngine({ workers: 2 });
    await new Promise((r) => setTimeout(r, 1500));
    // The comparison the target names, taken in turns (one round each, `runs` times) so that a
    // change in the machine's load falls on both alike; medians. Idle engines cost no CPU.
    const queued2: number[] = [];
    const local2: number[] = [];
    for (let r = 0; r < runs; r += 1) {
      queued2.push(await throughput([a], photos, 4, 2));
      local2.push(await throughput([inProcess2], photos, 4, 2));
    }
    console.log(`   (rounds: queue 2 workers ${queued2.map((v) => v.toFixed(2)).join(', ')}; in-process ${local2.map((v) => v.toFixed(2)).join(', ')} photos/s)`);
    rows.push(['queue: 2 workers, 1 school', median(queued2)]);
    rows.push(['queue: 2 workers, 2 schools', await throughput([a, b], photos, 4, runs)]);
    await inProcess2.close();
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    rows.push(['in-process: 2 threads', median(local2)]);
    console.log(`\n2. throughput, 1920 px photos, 4 in flight (load ${load()})`);
    for (const [name, v] of rows) console.log(`   ${name.padEnd(44)} ${v.toFixed(2)} photos/s`);
    const ratio = median(queued2.map((q, i) => q / local2[i]!));
    console.log(`   2 worker processes (FACE_CORES=1 each) vs in-process 2 threads, median of the rounds' ratios: ${((ratio - 1) * 100).toFixed(1)}%`);

    // ---- 3. load run ------------------------------------------------------------------------
    workers.push(...await Promise.all([startWorker(redis.url, { FACE_CORES: '1' }), startWorker(redis.url, { FACE_CORES: '1' })]));
    const small = await sharp(sample(2)).resize(800).jpeg().toBuffer();
    const schools = await Promise.all(['load-1', 'load-2', 'load-3'].map(async (id) => {
      const world = createTestWorld({ engine: await school(id), config: { MAX_CHECKS_IN_FLIGHT: '200', MAX_CHECKS_PER_USER: '200' } });
      return { id, world, parent: await signIn(world, 'parent') };
    }));
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => {
      const s = schools[i % 3]!;
      return s.parent.agent.post('/api/checks').set('x-csrf-token', s.parent.csrf)
        .attach('photos', small, { filename: 'a.jpg', contentType: 'image/jpeg' })
        .then((res) => ({ school: s.id, status: res.status, retryAfter: res.headers['retry-after'], code: res.body?.error?.code, at: performance.now() - t0 }));
    }));
    console.log(`\n3. load run: 3 schools, 2 workers, 300 photos (800 px) in one burst (load ${load()})`);
    let lost = 0;
    for (const s of schools) {
      const mine = outcomes.filter((o) => o.school === s.id);
      const done = mine.filter((o) => o.status === 201);
      const refused = mine.filter((o) => o.status === 503 && o.code === 'busy' && o.retryAfter);
      lost += mine.length - done.length - refused.length;
      const others = mine.filter((o) => !done.includes(o) && !refused.includes(o)).map((o) => `${o.status} ${o.code ?? ''}`);
      if (others.length) console.log(`   ${s.id} others: ${[...new Set(others)].join(', ')}`);
      console.log(`   ${s.id}: ${done.length} completed (median ${(median(done.map((o) => o.at)) / 1000).toFixed(1)} s, last ${(Math.max(...done.map((o) => o.at)) / 1000).toFixed(1)} s), ${refused.length} refused 503 + Retry-After, ${mine.length - done.length - refused.length} other`);
    }
    console.log(`   lost (neither completed nor 503 with Retry-After): ${lost}`);
    await Promise.all(schools.map((s) => request(s.world.app).get('/api/health')));
  } finally {
    await Promise.all(engines.map((e) => e.close()));
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
