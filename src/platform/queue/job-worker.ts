// The worker's side of the queue: finds every school's queue (the registry set), takes jobs from
// them in turn (round-robin, so one school's burst waits behind one job of each other school, not
// the other way round), runs the handler for the job's kind, and hands back the result by key.
// Jobs are fetched by hand from BullMQ (getNextJob without blocking, one per queue in turn)
// because a BullMQ Worker serves one queue; idle, it sleeps on every queue's marker at once.
// Failure policy: the lock is extended while the handler runs; a worker that dies loses its lock,
// and BullMQ's stalled-job check (run by every worker) puts the job back once, after which a
// second stall fails it (maxStalledCount 1). A job taken past its deadline is dropped unrun.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Worker as BullWorker, type Job } from 'bullmq';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { jobData, PREFIX, redisOptions, registryKey, resultKey, WORKER_INFO_KEY, WORKERS_KEY, type JobData, type JobFailure, type JobKind } from './keys';

export type JobHandler = (payload: Buffer, job: {
  id: string; school: string; deadline: number; options?: JobData['options'];
  /** Aborts shortly before the deadline: a job still waiting for a face thread then gives up
   *  with busy, so its school answers "try again" in time rather than engine_failed. */
  signal: AbortSignal;
}) => Promise<unknown>;

export interface JobWorkerOptions {
  redisUrl: string;
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Jobs run at once in this process (one per face thread). */
  concurrency: number;
  /** Jobs taken beyond `concurrency`, held ready (payload fetched, decoded by the engine) so a
   *  face thread does not sit idle between photos. Default 0. */
  prefetch?: number;
  /** A worker silent for this long loses its job to another (BullMQ lock duration). */
  lockMs: number;
  logger: Logger;
  /** Shown to schools in /api/health (backend, detector...). */
  info?: Record<string, unknown>;
  id?: string;
  /** Called once per job taken (metrics, tests). */
  onOutcome?: (outcome: 'completed' | 'rejected' | 'failed' | 'expired', kind: JobKind, seconds: number) => void;
}

interface Taken {
  job: Job;
  token: string;
  queue: string;
}

const HEARTBEAT_MS = 10_000;
const REGISTRY_REFRESH_MS = 1_000;
/** Longest idle sleep on the markers; new schools' queues are noticed after at most this. */
const IDLE_BLOCK_SECONDS = 1;

/** A job still waiting for a face thread this long before its deadline gives up (busy): a tenth
 *  of its time, between a quarter of a second and two. */
export function startBy(submitted: number, deadline: number): number {
  return deadline - Math.min(2_000, Math.max(250, (deadline - submitted) / 10));
}

export class JobWorker {
  readonly id: string;
  private readonly queues = new Map<string, BullWorker>();
  private readonly current = new Set<Taken>();
  private readonly sleepers = new Set<Redis>();
  private next = 0;
  private lastRefresh = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private heartbeat?: NodeJS.Timeout;

  private constructor(private readonly opts: JobWorkerOptions, private readonly redis: Redis) {
    this.id = opts.id ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  static async start(opts: JobWorkerOptions): Promise<JobWorker> {
    const redis = new Redis({ ...connection(opts.redisUrl), maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const worker = new JobWorker(opts, redis);
    // Redis came back (maybe empty after a restart): say at once that this worker is here.
    redis.on('ready', () => void worker.beat());
    await worker.beat();
    worker.heartbeat = setInterval(() => void worker.beat(), HEARTBEAT_MS);
    worker.loops = Array.from({ length: Math.max(1, opts.concurrency) + Math.max(0, opts.prefetch ?? 0) }, () => worker.loop());
    opts.logger.info({ worker: worker.id, concurrency: opts.concurrency, prefetch: opts.prefetch ?? 0 }, 'queue worker started');
    return worker;
  }

  /** Graceful stop: take no new job, let running ones finish for up to graceMs, then give the
   *  rest back to the queue (another worker takes them at once), and leave. */
  async stop(graceMs = 25_000): Promise<void> {
    this.stopping = true;
    for (const s of this.sleepers) s.disconnect();
    const finished = Promise.all(this.loops);
    const inTime = await Promise.race([finished.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
    if (!inTime) {
      for (const t of this.current) await t.job.moveToWait(t.token).catch(() => undefined);
      this.opts.logger.warn({ released: this.current.size }, 'queue worker stopping: gave unfinished jobs back');
    }
    clearInterval(this.heartbeat);
    await this.redis.zrem(WORKERS_KEY, this.id).catch(() => undefined);
    await this.redis.hdel(WORKER_INFO_KEY, this.id).catch(() => undefined);
    await Promise.allSettled([...this.queues.values()].map((w) => w.close(true)));
    this.redis.disconnect();
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    await this.redis.multi()
      .zadd(WORKERS_KEY, now, this.id)
      .zremrangebyscore(WORKERS_KEY, '-inf', now - 3_600_000)
      .hset(WORKER_INFO_KEY, this.id, JSON.stringify(this.opts.info ?? {}))
      .exec()
      .catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const sleeper = new Redis({ ...connection(this.opts.redisUrl), maxRetriesPerRequest: null });
    sleeper.on('error', () => undefined);
    this.sleepers.add(sleeper);
    try {
      while (!this.stopping) {
        try {
          await this.refreshQueues();
          const taken = await this.take();
          if (taken) await this.run(taken);
          else await this.sleep(sleeper);
        } catch (err) {
          // Redis restarting, a queue removed under us: wait a little and look again.
          if (!this.stopping) this.opts.logger.warn({ err: (err as Error).message }, 'queue worker loop error; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      this.sleepers.delete(sleeper);
      sleeper.disconnect();
    }
  }

  /** Finds queues added since last time (schools that started) and watches their stalls. */
  private async refreshQueues(): Promise<void> {
    if (Date.now() - this.lastRefresh < REGISTRY_REFRESH_MS) return;
    this.lastRefresh = Date.now();
    const kinds = Object.keys(this.opts.handlers) as JobKind[];
    for (const kind of kinds) {
      for (const name of await this.redis.smembers(registryKey(kind))) {
        if (this.queues.has(name)) continue;
        const w = new BullWorker(name, null, {
          connection: connection(this.opts.redisUrl), prefix: PREFIX, autorun: false, name: this.id,
          lockDuration: this.opts.lockMs, stalledInterval: Math.max(500, Math.round(this.opts.lockMs / 2)), maxStalledCount: 1,
        });
        w.on('error', (err) => this.opts.logger.warn({ queue: name, err: err.message }, 'queue error'));
        this.queues.set(name, w);
        void w.startStalledCheckTimer();
      }
    }
  }

  /** The next job, trying each school's queue once, starting after the last one served. */
  private async take(): Promise<Taken | null> {
    const names = [...this.queues.keys()];
    for (let i = 0; i < names.length && !this.stopping; i += 1) {
      const index = (this.next + i) % names.length;
      const name = names[index]!;
      const token = randomUUID();
      const job = await this.queues.get(name)!.getNextJob(token, { block: false });
      if (job) {
        this.next = index + 1;
        return { job, token, queue: name };
      }
    }
    return null;
  }

  /** Idle: wait until any queue gets a job (BullMQ adds a marker per queue) or a second passes. */
  private async sleep(sleeper: Redis): Promise<void> {
    const markers = [...this.queues.values()].map((w) => w.keys.marker);
    if (markers.length === 0 || this.stopping) {
      await new Promise((r) => setTimeout(r, IDLE_BLOCK_SECONDS * 1000));
      return;
    }
    await sleeper.bzpopmin(...markers, IDLE_BLOCK_SECONDS).catch(() => undefined);
  }

  private async run(taken: Taken): Promise<void> {
    const { job, token } = taken;
    const started = performance.now();
    this.current.add(taken);
    const lock = setInterval(() => void job.extendLock(token, this.opts.lockMs).catch(() => undefined), Math.max(250, this.opts.lockMs / 3));
    const giveUp = new AbortController();
    let giveUpTimer: NodeJS.Timeout | undefined;
    let kind: JobKind = 'photo';
    const done = (o: 'completed' | 'rejected' | 'failed' | 'expired') => this.opts.onOutcome?.(o, kind, (performance.now() - started) / 1000);
    try {
      // Stalled a second time (its worker died again): BullMQ puts it back marked to fail, and
      // the next worker to take it fails it unrun. Fail closed: no third attempt.
      if (job.deferredFailure) {
        await this.fail(taken, { code: 'stalled', status: 503, message: job.deferredFailure });
        return done('failed');
      }
      const parsed = jobData.safeParse(job.data);
      if (!parsed.success) return await this.fail(taken, { code: 'bad_job', status: 500, message: 'malformed job' }).then(() => done('failed'));
      const data: JobData = parsed.data;
      kind = data.kind;
      if (Date.now() >= data.deadline) {
        await this.fail(taken, { code: 'expired', status: 503, message: 'deadline passed before a worker took it' });
        return done('expired');
      }
      const handler = this.opts.handlers[data.kind];
      const payload = await this.redis.getBuffer(data.payloadKey);
      if (!handler || !payload) {
        await this.fail(taken, { code: payload ? 'no_handler' : 'payload_missing', status: 500, message: 'cannot run this job' });
        return done('failed');
      }
      giveUpTimer = setTimeout(() => giveUp.abort(), Math.max(0, startBy(job.timestamp, data.deadline) - Date.now()));
      let result: unknown;
      try {
        result = await handler(payload, { id: job.id!, school: data.school, deadline: data.deadline, options: data.options, signal: giveUp.signal });
      } catch (err) {
        if (err instanceof AppError && err.code === 'busy') {
          // Held ahead and never started in time: the school answers busy ("try again").
          await this.fail(taken, { code: 'busy', status: 503, message: 'no face thread was free before the deadline' });
          return done('expired');
        }
        const bad = err instanceof AppError && err.status < 500;
        if (!bad) this.opts.logger.error({ jobId: job.id, school: data.school, err: (err as Error).message }, 'job failed');
        await this.fail(taken, bad ? { code: err.code, status: err.status, message: err.message } : { code: 'engine_failed', status: 503, message: 'the job failed' });
        return done(bad ? 'rejected' : 'failed');
      }
      if (Date.now() >= data.deadline) {
        // Nobody waits for it any more: drop it rather than deliver late.
        await this.fail(taken, { code: 'expired', status: 503, message: 'finished after its deadline' });
        return done('expired');
      }
      await this.redis.set(resultKey(job.id!), JSON.stringify(result), 'PX', Math.max(1_000, data.deadline - Date.now() + 5_000));
      await job.moveToCompleted(null, token, false);
      await this.redis.del(data.payloadKey).catch(() => undefined);
      done('completed');
    } catch (err) {
      // Lost the lock (we stalled and another worker has it) or Redis went away: the job's
      // fate is decided elsewhere now.
      this.opts.logger.warn({ jobId: job.id, err: (err as Error).message }, 'could not finish a job');
      await this.redis.del(resultKey(job.id!)).catch(() => undefined);
    } finally {
      clearInterval(lock);
      clearTimeout(giveUpTimer);
      this.current.delete(taken);
    }
  }

  private async fail(taken: Taken, failure: JobFailure): Promise<void> {
    const key = (taken.job.data as { payloadKey?: unknown }).payloadKey;
    await taken.job.moveToFailed(new Error(JSON.stringify(failure)), taken.token, false);
    if (typeof key === 'string' && key.startsWith(`${PREFIX}:payload:`)) await this.redis.del(key).catch(() => undefined);
  }
}

const connection = (url: string) => redisOptions(url);
