import type { Db } from '../db';
import type { JobKind, JobRecord, JobState } from './types';

interface Row {
  id: string; kind: string; owner_id: number; state: string; progress: number; eta_seconds: number | null;
  error_code: string | null; counts: string | null; created_at: string; started_at: string | null;
  finished_at: string | null; deadline: string; expires_at: string | null;
}

const toRecord = (r: Row): JobRecord => ({
  id: r.id, kind: r.kind as JobKind, ownerId: r.owner_id, state: r.state as JobState, progress: r.progress,
  etaSeconds: r.eta_seconds, errorCode: r.error_code, counts: r.counts ? JSON.parse(r.counts) as Record<string, number> : {},
  createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, deadline: r.deadline, expiresAt: r.expires_at,
});

export type JobsRepo = ReturnType<typeof createJobsRepo>;

/** Prepared SQL for the jobs table (ids, counts and state only). */
export function createJobsRepo(db: Db) {
  const insert = db.prepare(`INSERT INTO jobs (id, kind, owner_id, state, progress, created_at, deadline)
    VALUES (@id, @kind, @ownerId, 'queued', 0, @createdAt, @deadline)`);
  const byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const byOwner = db.prepare('SELECT * FROM jobs WHERE owner_id = ? AND kind = ? ORDER BY created_at DESC, rowid DESC LIMIT ?');
  const start = db.prepare("UPDATE jobs SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'");
  const progress = db.prepare("UPDATE jobs SET progress = ?, eta_seconds = ? WHERE id = ? AND state = 'running'");
  const finish = db.prepare(`UPDATE jobs SET state = 'done', progress = 1, eta_seconds = NULL, counts = ?, finished_at = ?, expires_at = ?
    WHERE id = ? AND state = 'running'`);
  const fail = db.prepare(`UPDATE jobs SET state = 'failed', eta_seconds = NULL, error_code = ?, finished_at = ?
    WHERE id = ? AND state IN ('queued', 'running')`);
  const interrupted = db.prepare(`UPDATE jobs SET state = 'failed', eta_seconds = NULL, error_code = 'interrupted', finished_at = ?
    WHERE state IN ('queued', 'running') RETURNING id`);
  const expire = db.prepare("UPDATE jobs SET state = 'expired' WHERE state = 'done' AND expires_at <= ? RETURNING id");
  const forget = db.prepare("DELETE FROM jobs WHERE state IN ('failed', 'expired') AND created_at <= ?");
  const forgetOne = db.prepare("DELETE FROM jobs WHERE id = ? AND state IN ('done', 'failed', 'expired')");

  return {
    insert: (j: { id: string; kind: JobKind; ownerId: number; createdAt: string; deadline: string }) => { insert.run(j); },
    get: (id: string): JobRecord | null => { const r = byId.get(id) as Row | undefined; return r ? toRecord(r) : null; },
    listForOwner: (ownerId: number, kind: JobKind, limit: number): JobRecord[] => (byOwner.all(ownerId, kind, limit) as Row[]).map(toRecord),
    markRunning: (id: string, at: string): boolean => start.run(at, id).changes === 1,
    setProgress: (id: string, fraction: number, etaSeconds: number | null) => { progress.run(fraction, etaSeconds, id); },
    markDone: (id: string, counts: Record<string, number>, at: string, expiresAt: string) => { finish.run(JSON.stringify(counts), at, expiresAt, id); },
    markFailed: (id: string, code: string, at: string) => { fail.run(code, at, id); },
    /** Jobs a previous process left queued or running: their inputs died with it. */
    failInterrupted: (at: string): string[] => (interrupted.all(at) as Array<{ id: string }>).map((r) => r.id),
    expireDone: (now: string): string[] => (expire.all(now) as Array<{ id: string }>).map((r) => r.id),
    forgetOlderThan: (before: string): number => forget.run(before).changes,
    /** A finished job's record, when its owner deletes it; false while it still runs. */
    forgetFinished: (id: string): boolean => forgetOne.run(id).changes === 1,
  };
}
