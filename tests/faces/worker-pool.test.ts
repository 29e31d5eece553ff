import path from 'node:path';
import { silentLogger } from '../../src/platform/logger';
import { WorkerPool, type PoolOptions } from '../../src/features/faces/worker-pool';

const file = path.join(__dirname, 'fixtures', 'fake-worker.ts');
const start = (over: Partial<PoolOptions> = {}) =>
  WorkerPool.start({ file, size: 1, maxQueue: 2, jobTimeoutMs: 5000, logger: silentLogger, ...over });
const engineFailed = expect.objectContaining({ code: 'engine_failed', status: 503 });

describe('WorkerPool', () => {
  let pool: WorkerPool;
  afterEach(async () => pool?.close());

  test('when a TypeScript worker starts, then it runs through tsx and reports ready', async () => {
    pool = await start();
    expect(pool.info).toEqual({ backend: 'fake' });
    await expect(pool.run({ action: 'echo', value: 42 })).resolves.toBe(42);
  });

  test.each(['throw', 'crash', 'hang'])('when a job does "%s", then it fails with engine_failed and the next job succeeds on a new worker', async (action) => {
    pool = await start({ jobTimeoutMs: 1500 });
    const [before] = pool.threadIds();
    await expect(pool.run({ action })).rejects.toEqual(engineFailed);
    await expect(pool.run({ action: 'echo', value: 'again' })).resolves.toBe('again');
    expect(pool.threadIds()).not.toContain(before);
    expect(pool.threadIds()).toHaveLength(1);
  });

  test('when a worker dies with jobs queued, then the queued jobs run on its replacement', async () => {
    pool = await start({ maxQueue: 5 });
    const crashed = pool.run({ action: 'crash' });
    const queued = pool.run({ action: 'echo', value: 'queued' });
    await expect(crashed).rejects.toEqual(engineFailed);
    await expect(queued).resolves.toBe('queued');
  });

  test('when the queue is full, then further jobs are refused as busy', async () => {
    pool = await start({ maxQueue: 2 });
    const running = pool.run({ action: 'slow', value: 1 });
    const queued = [pool.run({ action: 'echo', value: 2 }), pool.run({ action: 'echo', value: 3 })];
    expect(pool.hasRoom()).toBe(false);
    await expect(pool.run({ action: 'echo', value: 4 })).rejects.toEqual(expect.objectContaining({ code: 'busy', status: 503 }));
    await expect(Promise.all([running, ...queued])).resolves.toEqual([1, 2, 3]);
  });

  test('when a queued job\'s signal aborts, then it is given up as busy while the running job (also signalled) finishes', async () => {
    pool = await start({ maxQueue: 2 });
    const abort = new AbortController();
    const running = pool.run({ action: 'slow', value: 1 }, [], abort.signal);
    const held = pool.run({ action: 'echo', value: 2 }, [], abort.signal);
    const other = pool.run({ action: 'echo', value: 3 });
    abort.abort();
    await expect(held).rejects.toEqual(expect.objectContaining({ code: 'busy', status: 503 }));
    await expect(Promise.all([running, other])).resolves.toEqual([1, 3]);
    expect(pool.waiting).toBe(0);
    await expect(pool.run({ action: 'echo', value: 4 }, [], abort.signal)).rejects.toEqual(expect.objectContaining({ code: 'busy' }));
  });

  test('when the pool closes, then running and queued jobs fail and later jobs are refused', async () => {
    pool = await start({ maxQueue: 2 });
    const running = pool.run({ action: 'hang' }).catch((e: unknown) => e);
    const queued = pool.run({ action: 'echo', value: 1 }).catch((e: unknown) => e);
    await pool.close();
    expect(await running).toEqual(engineFailed);
    expect(await queued).toEqual(engineFailed);
    await expect(pool.run({ action: 'echo', value: 2 })).rejects.toEqual(engineFailed);
  });

  test('when the worker file cannot start, then start() rejects instead of hanging', async () => {
    await expect(WorkerPool.start({ file: path.join(__dirname, 'fixtures', 'missing-worker.js'), size: 1, maxQueue: 1, jobTimeoutMs: 1000, logger: silentLogger })).rejects.toThrow();
  });
});
