// Names in Redis, in one place. Everything ShareSafe keeps there starts with "sharesafe:": BullMQ's
// own keys (sharesafe:<queue>:wait, ...), the payloads and results that travel beside the jobs,
// the registry of queues and the workers' heartbeats.
import { z } from 'zod';

export const PREFIX = 'sharesafe';

/** The kinds of long work that go through the queue. Video joins as another kind (see
 *  docs/deployment.md, "Adding a job kind"). */
export type JobKind = 'photo';

/** A school's id in queue and key names: lower-case letters, digits and dashes. */
export const SCHOOL_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** One queue per kind and school: workers serve the schools' queues in turn (fairness). */
export const queueName = (kind: JobKind, school: string): string => `${kind}-${school}`;
/** Set of queue names of one kind; schools add theirs, workers read it to find every queue. */
export const registryKey = (kind: JobKind): string => `${PREFIX}:queues:${kind}`;
/** Sorted set: worker id -> last heartbeat (ms). */
export const WORKERS_KEY = `${PREFIX}:workers`;
/** Hash: worker id -> JSON of what it runs (backend, detector, describer). */
export const WORKER_INFO_KEY = `${PREFIX}:worker-info`;
/** The input bytes of a job (a photo), with a TTL just past the job's deadline. */
export const payloadKey = (jobId: string): string => `${PREFIX}:payload:${jobId}`;
/** A job's result, written by the worker and taken (GETDEL) by the school that asked. */
export const resultKey = (jobId: string): string => `${PREFIX}:result:${jobId}`;

/** What a job carries: where its bytes are, whose it is, and when nobody wants it any more.
 *  Validated when a worker takes it (a border). */
export const jobData = z.object({
  kind: z.literal('photo'),
  school: z.string().regex(SCHOOL_ID),
  payloadKey: z.string().startsWith(`${PREFIX}:payload:`),
  /** Epoch ms; a job taken after it is dropped, and the school has already answered "failed". */
  deadline: z.number().int().positive(),
  /** How the image is examined (AnalyseOptions); absent: as a photo. */
  options: z.object({ magnify: z.boolean() }).strict().optional(),
});
export type JobData = z.infer<typeof jobData>;

/** Why a job failed, as the worker reports it (BullMQ's failedReason holds this JSON). Bad input
 *  keeps its 4xx code and message; everything else becomes engine_failed at the school. */
export const jobFailure = z.object({
  code: z.string().max(64),
  status: z.number().int().min(400).max(599),
  message: z.string().max(500),
});
export type JobFailure = z.infer<typeof jobFailure>;

/** REDIS_URL (redis://user:pass@host:port/db, rediss:// for TLS) -> ioredis options. */
export interface RedisAddress {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

export function redisOptions(url: string): RedisAddress {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// or rediss://, not ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
