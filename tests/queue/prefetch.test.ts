// A worker process holds one job beyond its face threads (JobWorker's prefetch), so a thread
// does not sit idle between photos. A held job that no thread takes before its deadline nears is
// given up as busy, as a job still waiting in Redis would be: the school says "try again", never
// engine_failed, and the photo is never analysed late. A real redis-server of its own; the face
// thread is a real WorkerPool of one thread running the fake worker (no models: milliseconds).
import path from 'node:path';
import { WorkerPool } from '../../src/features/faces/worker-pool';
import { silentLogger } from '../../src/platform/logger';
import { JobProducer } from '../../src/platform/queue/job-producer';
import { JobWorker, startBy } from '../../src/platform/queue/job-worker';
import { describeRedis, startRedis, type RedisServer } from '../helpers/redis';

jest.setTimeout(60_000);

test('a held job gives up a tenth of its time before its deadline, between 250 ms and 2 s', () => {
  expect(startBy(0, 1_000)).toBe(750);
  expect(startBy(0, 10_000)).toBe(9_000);
  expect(startBy(0, 120_000)).toBe(118_000);
});

describeRedis('prefetch', () => {
  let redis: RedisServer;
  let pool: WorkerPool;
  let worker: JobWorker;
  const producers: JobProducer[] = [];
  let inHand = 0;
  let mostInHand = 0;
  const started: number[] = [];

  const producer = async (school: string, deadlineMs: number) => {
    const p = await JobProducer.start({ redisUrl: redis.url, kind: 'photo', school, maxBacklog: 8, deadlineMs, logger: silentLogger });
    producers.push(p);
    await new Promise((r) => setTimeout(r, 1_200)); // the worker notices a new school's queue
    return p;
  };
  const job = (ms: number) => Buffer.from(String(ms));

  beforeAll(async () => {
    redis = await startRedis();
    pool = await WorkerPool.start({ file: path.join(__dirname, '..', 'faces', 'fixtures', 'fake-worker.ts'), size: 1, maxQueue: 1, jobTimeoutMs: 30_000, logger: silentLogger });
    worker = await JobWorker.start({
      redisUrl: redis.url, concurrency: 1, prefetch: 1, lockMs: 30_000, logger: silentLogger,
      handlers: {
        photo: async (payload, j) => {
          inHand += 1;
          mostInHand = Math.max(mostInHand, inHand);
          try {
            const ms = Number(payload.toString());
            const done = await pool.run<number>({ action: 'sleep', value: ms }, [], j.signal);
            started.push(ms);
            return { ms: done };
          } finally {
            inHand -= 1;
          }
        },
      },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all(producers.map((p) => p.close()));
    await pool?.close();
    await redis?.stop();
  });

  test('when photos arrive together, then the worker holds one beyond its thread and runs it next, never more', async () => {
    const p = await producer('school-p1', 30_000);
    const results = await Promise.all([400, 300, 200, 100].map((ms) => p.submit(job(ms))));
    expect(results).toEqual([{ ms: 400 }, { ms: 300 }, { ms: 200 }, { ms: 100 }]);
    expect(mostInHand).toBe(2);
  });

  test('when the thread stays busy past a held photo\'s deadline, then its school answers busy and the photo is never analysed', async () => {
    const slow = await producer('school-p2', 30_000);
    const hurried = await producer('school-p3', 1_000);
    started.length = 0;
    const occupying = slow.submit(job(2_500));
    await new Promise((r) => setTimeout(r, 100));
    await expect(hurried.submit(job(7))).rejects.toMatchObject({ code: 'busy', status: 503 });
    await expect(occupying).resolves.toEqual({ ms: 2_500 });
    expect(started).toEqual([2_500]);
  });
});
