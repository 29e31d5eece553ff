// How an image is to be examined (AnalyseOptions) travels with its job: a video frame sent by a
// school as "not magnified" reaches the worker's handler so, and a photo arrives without options.
// A real redis-server of its own (no face worker processes), with a producer and a worker here.
import { silentLogger } from '../../src/platform/logger';
import { JobProducer } from '../../src/platform/queue/job-producer';
import { JobWorker, type JobHandler } from '../../src/platform/queue/job-worker';
import { describeRedis, startRedis, type RedisServer } from '../helpers/redis';

jest.setTimeout(60_000);

describeRedis('job options', () => {
  let redis: RedisServer;
  let producer: JobProducer;
  let worker: JobWorker;
  const seen: Array<Parameters<JobHandler>[1]['options']> = [];

  beforeAll(async () => {
    redis = await startRedis();
    producer = await JobProducer.start({ redisUrl: redis.url, kind: 'photo', school: 'school-o', maxBacklog: 8, deadlineMs: 30_000, logger: silentLogger });
    worker = await JobWorker.start({
      redisUrl: redis.url, concurrency: 1, lockMs: 30_000, logger: silentLogger,
      handlers: { photo: async (payload, job) => { seen.push(job.options); return { bytes: payload.length }; } },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await producer?.close();
    await redis?.stop();
  });

  test('when a school sends a video frame not to be magnified and then a photo, then the worker\'s handler gets each as sent', async () => {
    expect(await producer.submit(Buffer.alloc(10), { magnify: false })).toEqual({ bytes: 10 });
    expect(await producer.submit(Buffer.alloc(20))).toEqual({ bytes: 20 });
    expect(seen).toEqual([{ magnify: false }, undefined]);
  });
});
