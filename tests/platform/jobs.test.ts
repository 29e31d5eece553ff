import path from 'node:path';
import { testConfig } from '../../src/config';
import { ManualClock } from '../../src/platform/clock';
import { openDb } from '../../src/platform/db';
import { AppError } from '../../src/platform/errors';
import { createInProcessJobRunner, type JobContext } from '../../src/platform/jobs';
import { silentLogger } from '../../src/platform/logger';

// The in-process job runner on a fresh migrated database, with handlers the test controls.

function setUp(o: { concurrency?: number; maxQueued?: number; maxPerOwner?: number } = {}) {
  const config = testConfig();
  const db = openDb(path.join(config.DATA_DIR, 'jobs.db'));
  db.prepare("INSERT INTO users (id, email, name, role, created_at) VALUES (1, 'a@x.test', 'A', 'parent', '2026-01-01'), (2, 'b@x.test', 'B', 'parent', '2026-01-01')").run();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const runner = createInProcessJobRunner({ db, clock, logger: silentLogger, concurrency: o.concurrency ?? 1, maxQueued: o.maxQueued ?? 2, maxPerOwner: o.maxPerOwner ?? 5 });
  const cleaned: string[] = [];
  const gates: Array<{ ctx: JobContext; finish: (counts?: Record<string, number>) => void; fail: (e: unknown) => void }> = [];
  runner.register<{ n: number }>('video', {
    run: (_p, ctx) => new Promise((resolve, reject) => {
      gates.push({ ctx, finish: (counts) => resolve({ counts }), fail: reject });
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
    }),
    cleanup: (p, id) => { cleaned.push(`${id}:${p.n}`); },
  });
  return { db, clock, runner, gates, cleaned };
}
const opts = { deadlineMs: 60_000, resultTtlMs: 3_600_000 };
const tick = () => new Promise((r) => setTimeout(r, 10));

test('when jobs are submitted, then they run in order within the concurrency, report progress with time left, and finish with counts and an expiry', async () => {
  const { runner, gates, clock, cleaned } = setUp();
  const a = runner.submit('video', 1, { n: 1 }, opts);
  const b = runner.submit('video', 2, { n: 2 }, opts);
  await tick();
  expect([runner.get(a.id)!.state, runner.get(b.id)!.state]).toEqual(['running', 'queued']);
  gates[0]!.ctx.progress(0.5);
  const half = runner.get(a.id)!;
  expect(half.progress).toBe(0.5);
  expect(half.etaSeconds).not.toBeNull();
  gates[0]!.finish({ frames: 20 });
  await tick();
  const done = runner.get(a.id)!;
  expect(done).toMatchObject({ state: 'done', progress: 1, etaSeconds: null, counts: { frames: 20 } });
  expect(new Date(done.expiresAt!).getTime() - new Date(done.finishedAt!).getTime()).toBe(3_600_000);
  expect(runner.get(b.id)!.state).toBe('running');
  expect(cleaned).toEqual([`${a.id}:1`]);
  // Results expire like photo results.
  clock.advance(3_600_001);
  expect(runner.sweep(clock.now())).toEqual([a.id]);
  expect(runner.get(a.id)!.state).toBe('expired');
  gates[1]!.finish();
  await runner.close();
});

test('when the backlog is full, then submissions get 503 busy, and one owner cannot take every place', async () => {
  const { runner } = setUp({ maxQueued: 1, maxPerOwner: 2 });
  runner.submit('video', 1, { n: 1 }, opts);
  await tick();
  runner.submit('video', 2, { n: 2 }, opts);
  expect(runner.hasRoom(2)).toBe(false);
  expect(() => runner.submit('video', 2, { n: 3 }, opts)).toThrow(expect.objectContaining({ code: 'busy', status: 503 }));
  const per = setUp({ maxQueued: 10, maxPerOwner: 2 }).runner;
  per.submit('video', 1, { n: 1 }, opts);
  per.submit('video', 1, { n: 2 }, opts);
  expect(per.hasRoom(1)).toBe(false);
  expect(per.hasRoom(2)).toBe(true);
  expect(() => per.submit('video', 1, { n: 3 }, opts)).toThrow(expect.objectContaining({ code: 'busy' }));
  await Promise.all([runner.close(), per.close()]);
});

test('when a job fails, passes its deadline or is cancelled, then it fails with a stable code and its input is cleaned up', async () => {
  const { runner, gates, clock, cleaned } = setUp({ concurrency: 1, maxQueued: 5 });
  const failing = runner.submit('video', 1, { n: 1 }, opts);
  const late = runner.submit('video', 1, { n: 2 }, { ...opts, deadlineMs: 1000 });
  const cancelled = runner.submit('video', 2, { n: 3 }, opts);
  await tick();
  runner.cancel(cancelled.id); // still queued
  clock.advance(2000); // `late` passes its deadline while waiting
  gates[0]!.fail(new AppError('engine_failed', 503, 'x'));
  await tick();
  expect(runner.get(failing.id)).toMatchObject({ state: 'failed', errorCode: 'engine_failed' });
  expect(runner.get(late.id)).toMatchObject({ state: 'failed', errorCode: 'deadline_passed' });
  expect(runner.get(cancelled.id)).toMatchObject({ state: 'failed', errorCode: 'cancelled' });
  expect(gates).toHaveLength(1); // the late and the cancelled job never ran
  expect(cleaned.sort()).toEqual([`${failing.id}:1`, `${late.id}:2`, `${cancelled.id}:3`].sort());
  await runner.close();
});

test('when the process stopped mid-job, then at the next start the job fails as interrupted', async () => {
  const first = setUp();
  const job = first.runner.submit('video', 1, { n: 1 }, opts);
  await tick();
  // A new runner on the same database, as after a crash (the old one never finished).
  const again = createInProcessJobRunner({ db: first.db, clock: first.clock, logger: silentLogger, concurrency: 1, maxQueued: 1, maxPerOwner: 1 });
  expect(again.recover()).toBe(1);
  expect(again.get(job.id)).toMatchObject({ state: 'failed', errorCode: 'interrupted' });
  expect(again.listForOwner(1, 'video', 10).map((j) => j.id)).toEqual([job.id]);
  await first.runner.close();
});
