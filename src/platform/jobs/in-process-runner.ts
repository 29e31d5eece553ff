// The default JobRunner: jobs run in this process, at most `concurrency` at a time, the rest
// wait in a bounded queue (more are refused with 503 busy). State lives in SQLite so the parent's
// list of checks survives a restart; recover() fails a job that was queued or running when the
// process stopped as 'interrupted' (its input was a temp file of that process).
import { AppError, busy } from '../errors';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Logger } from '../logger';
import { newToken } from '../secrets';
import { createJobsRepo } from './jobs.repo';
import type { JobHandler, JobKind, JobRecord, JobRunner, SubmitOptions } from './types';

export interface InProcessRunnerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs waiting to run; beyond this, submissions get 503 busy. */
  maxQueued: number;
  /** Jobs one owner may have queued or running at once. */
  maxPerOwner: number;
  /** Failed and expired records older than this are forgotten by sweep(). */
  keepRecordsMs?: number;
}

interface Pending {
  id: string;
  kind: JobKind;
  ownerId: number;
  payload: unknown;
  resultTtlMs: number;
  deadline: number;
  controller: AbortController;
  startedAt?: number;
  lastWrite?: number;
}

const WEEK = 7 * 24 * 3600_000;
/** Progress is written at most this often (polling pages read it). */
const PROGRESS_WRITE_MS = 500;

export function createInProcessJobRunner(o: InProcessRunnerOptions): JobRunner {
  const repo = createJobsRepo(o.db);
  const handlers = new Map<JobKind, JobHandler<unknown>>();
  const queue: Pending[] = [];
  const running = new Map<string, Pending>();
  const settled = new Set<Promise<void>>();
  let closed = false;

  const activeFor = (ownerId: number) =>
    queue.filter((p) => p.ownerId === ownerId).length + [...running.values()].filter((p) => p.ownerId === ownerId).length;

  function cleanup(p: Pending) {
    try {
      handlers.get(p.kind)?.cleanup(p.payload, p.id);
    } catch (err) {
      o.logger.error({ job: p.id, code: (err as NodeJS.ErrnoException).code }, 'job cleanup failed');
    }
  }

  function failUnstarted(p: Pending, code: string) {
    repo.markFailed(p.id, code, o.clock.now().toISOString());
    cleanup(p);
  }

  function pump() {
    while (!closed && running.size < o.concurrency && queue.length > 0) {
      const p = queue.shift()!;
      if (o.clock.now().getTime() >= p.deadline) {
        // Nobody is waiting for a result this late.
        failUnstarted(p, 'deadline_passed');
        continue;
      }
      const done = execute(p);
      settled.add(done);
      void done.finally(() => { settled.delete(done); pump(); });
    }
  }

  async function execute(p: Pending): Promise<void> {
    const handler = handlers.get(p.kind);
    p.startedAt = o.clock.now().getTime();
    running.set(p.id, p);
    repo.markRunning(p.id, new Date(p.startedAt).toISOString());
    const timer = setTimeout(() => p.controller.abort(new AppError('deadline_passed', 503, 'The check took too long and was stopped.')),
      Math.max(0, p.deadline - p.startedAt));
    timer.unref();
    const t0 = performance.now();
    try {
      if (!handler) throw new AppError('internal', 500, `No handler for ${p.kind} jobs.`);
      const ctx = {
        id: p.id,
        signal: p.controller.signal,
        progress: (fraction: number) => reportProgress(p, fraction, performance.now() - t0),
      };
      const result = await handler.run(p.payload, ctx);
      if (p.controller.signal.aborted) throw p.controller.signal.reason;
      const now = o.clock.now();
      repo.markDone(p.id, result.counts ?? {}, now.toISOString(), new Date(now.getTime() + p.resultTtlMs).toISOString());
      o.logger.info({ job: p.id, kind: p.kind, ms: Math.round(performance.now() - t0), ...result.counts }, 'job done');
    } catch (err) {
      const reason = p.controller.signal.aborted ? p.controller.signal.reason : err;
      const code = reason instanceof AppError ? reason.code : 'internal';
      repo.markFailed(p.id, code, o.clock.now().toISOString());
      if (code === 'internal') o.logger.error({ job: p.id, err }, 'job failed');
      else o.logger.warn({ job: p.id, code }, 'job failed');
    } finally {
      clearTimeout(timer);
      running.delete(p.id);
      cleanup(p);
    }
  }

  function reportProgress(p: Pending, fraction: number, elapsedMs: number) {
    const f = Math.min(1, Math.max(0, fraction));
    const now = performance.now();
    if (p.lastWrite !== undefined && now - p.lastWrite < PROGRESS_WRITE_MS && f < 1) return;
    p.lastWrite = now;
    // Time left from the pace so far; too early to say under 2%.
    const eta = f >= 0.02 ? Math.round((elapsedMs * (1 - f)) / f / 1000) : null;
    repo.setProgress(p.id, Math.round(f * 1000) / 1000, eta);
  }

  return {
    register(kind, handler) {
      handlers.set(kind, handler as JobHandler<unknown>);
    },

    hasRoom(ownerId) {
      return !closed && queue.length < o.maxQueued && activeFor(ownerId) < o.maxPerOwner;
    },

    submit(kind, ownerId, payload, opts: SubmitOptions) {
      if (closed || queue.length >= o.maxQueued) throw busy('The service is busy checking other videos. Try again in a few minutes.');
      if (activeFor(ownerId) >= o.maxPerOwner) throw busy('You already have videos being checked. Wait for one to finish, then try again.');
      const now = o.clock.now();
      const p: Pending = {
        id: newToken(24), kind, ownerId, payload, resultTtlMs: opts.resultTtlMs,
        deadline: now.getTime() + opts.deadlineMs, controller: new AbortController(),
      };
      repo.insert({ id: p.id, kind, ownerId, createdAt: now.toISOString(), deadline: new Date(p.deadline).toISOString() });
      queue.push(p);
      pump();
      return repo.get(p.id)!;
    },

    get: (id) => repo.get(id),
    listForOwner: (ownerId, kind, limit) => repo.listForOwner(ownerId, kind, limit),

    cancel(id) {
      const i = queue.findIndex((p) => p.id === id);
      if (i >= 0) {
        failUnstarted(queue.splice(i, 1)[0]!, 'cancelled');
        return;
      }
      running.get(id)?.controller.abort(new AppError('cancelled', 409, 'The check was cancelled.'));
    },

    forget(id) {
      if (!repo.forgetFinished(id)) this.cancel(id);
    },

    recover() {
      // Only what this runner does not hold itself: called before any submission.
      if (queue.length > 0 || running.size > 0) return 0;
      const left = repo.failInterrupted(o.clock.now().toISOString());
      if (left.length > 0) o.logger.warn({ jobs: left.length }, 'jobs left unfinished by the previous process failed as interrupted');
      return left.length;
    },

    sweep(now) {
      const expired = repo.expireDone(now.toISOString());
      repo.forgetOlderThan(new Date(now.getTime() - (o.keepRecordsMs ?? WEEK)).toISOString());
      return expired;
    },

    async close() {
      closed = true;
      for (const p of queue.splice(0)) failUnstarted(p, 'interrupted');
      for (const p of running.values()) p.controller.abort(new AppError('interrupted', 503, 'The service stopped before the check finished.'));
      await Promise.allSettled([...settled]);
    },
  };
}
