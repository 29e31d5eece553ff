// The school's side of the queue: puts a job's bytes in Redis under a key with a short TTL, adds
// a BullMQ job that carries only the key, the school and a deadline, and waits for a worker's
// answer. Fail closed: a job that fails, stalls twice, outlives its deadline or is lost with
// Redis rejects with engine_failed (503); only bad input keeps its 4xx. Nothing stays behind:
// the payload key is deleted when the job settles, the result key is taken with GETDEL, and the
// job record is removed on completion (its failure record holds an error code, no personal data).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, QueueEvents } from 'bullmq';
import { AppError, busy, engineFailed } from '../errors';
import type { Logger } from '../logger';
import { jobFailure, payloadKey, PREFIX, queueName, redisOptions, registryKey, resultKey, WORKER_INFO_KEY, WORKERS_KEY, type JobData, type JobKind } from './keys';

export interface ProducerOptions {
  redisUrl: string;
  kind: JobKind;
  school: string;
  /** Jobs of this school allowed to wait for a worker; more are refused with 503 busy. */
  maxBacklog: number;
  /** Per job, from submission: past it the school answers engine_failed and workers drop it. */
  deadlineMs: number;
  logger: Logger;
}

export interface QueueStatus {
  redis: 'up' | 'down';
  school: string;
  waiting: number;
  active: number;
  /** Age of the oldest job of this school still waiting for a worker, or null. */
  oldestWaitingSeconds: number | null;
  /** Worker processes that sent a heartbeat in the last minute (all schools share them). */
  workersSeen: number;
  /** What the most recently seen worker runs (backend, detector, describer). */
  workerInfo?: Record<string, unknown>;
}

export type JobOutcome = 'completed' | 'rejected' | 'failed' | 'expired' | 'busy';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export const WORKER_SEEN_WINDOW_MS = 60_000;

export class JobProducer {
  private readonly pending = new Map<string, Pending>();
  private ready = false;
  private closed = false;
  /** Serialises "count the backlog, then add" so concurrent checks cannot overshoot it. */
  private admission: Promise<unknown> = Promise.resolve();
  /** Called once per settled submission (metrics). */
  onOutcome: (outcome: JobOutcome, seconds: number) => void = () => undefined;

  private constructor(
    private readonly opts: ProducerOptions,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
  ) {}

  /** Connects (ioredis keeps reconnecting on its own); resolves once Redis answered, or after
   *  waitMs with the producer reporting Redis down until it comes. */
  static async start(opts: ProducerOptions, waitMs = 10_000): Promise<JobProducer> {
    const connection = redisOptions(opts.redisUrl);
    const name = queueName(opts.kind, opts.school);
    const redis = new Redis({ ...connection, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(2000, 100 * n) });
    const queue = new Queue(name, { connection, prefix: PREFIX, streams: { events: { maxLen: 1000 } } });
    // From the stream's start: a result published before this reader's first XREAD is not lost.
    // The stream holds job ids and error codes only (results travel by key, see above).
    const events = new QueueEvents(name, { connection, prefix: PREFIX, lastEventId: '0-0' });
    const producer = new JobProducer(opts, redis, queue, events);
    producer.listen();
    const ready = new Promise<void>((resolve) => {
      if (redis.status === 'ready') resolve();
      redis.once('ready', () => resolve());
    });
    await Promise.race([ready, new Promise((r) => setTimeout(r, waitMs).unref())]);
    if (producer.ready) await events.waitUntilReady().catch(() => undefined);
    return producer;
  }

  get connected(): boolean {
    return this.ready && !this.closed;
  }

  /** Sends one job and resolves with the worker's result (parsed JSON). */
  async submit(payload: Buffer, options?: JobData['options'], deadlineMs = this.opts.deadlineMs): Promise<unknown> {
    const started = performance.now();
    if (!this.connected) throw engineFailed('The face engine cannot be reached (Redis is down); no copy was produced. Try again later.');
    const jobId = randomUUID();
    const key = payloadKey(jobId);
    const deadline = Date.now() + deadlineMs;
    const outcome = (o: JobOutcome) => this.onOutcome(o, (performance.now() - started) / 1000);
    try {
      // Written while the backlog is counted (one round trip fewer); the job is added after both.
      const written = this.redis.set(key, payload, 'PX', deadlineMs + 5_000);
      written.catch(() => undefined);
      const result = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => this.expire(jobId), deadlineMs);
        this.pending.set(jobId, { resolve, reject, timer });
      });
      result.catch(() => undefined); // settled below; a rejection before the await is handled
      await this.admit(jobId, { kind: this.opts.kind, school: this.opts.school, payloadKey: key, deadline, ...(options ? { options } : {}) }, written);
      const value = await result;
      outcome('completed');
      return value;
    } catch (err) {
      this.forget(jobId);
      const code = err instanceof AppError ? err.code : 'engine_failed';
      outcome(Date.now() >= deadline ? 'expired' : code === 'busy' ? 'busy' : code === 'engine_failed' ? 'failed' : 'rejected');
      if (err instanceof AppError) throw err;
      this.opts.logger.error({ err: (err as Error).message }, 'queue job could not be sent');
      throw engineFailed();
    } finally {
      this.redis.del(key).catch(() => undefined);
    }
  }

  async status(): Promise<QueueStatus> {
    const down: QueueStatus = { redis: 'down', school: this.opts.school, waiting: 0, active: 0, oldestWaitingSeconds: null, workersSeen: 0 };
    if (!this.connected) return down;
    try {
      const [counts, oldest, seen] = await Promise.all([
        this.queue.getJobCounts('wait', 'prioritized', 'active'),
        this.queue.getJobs(['wait'], 0, 0, true),
        this.redis.zrevrangebyscore(WORKERS_KEY, '+inf', Date.now() - WORKER_SEEN_WINDOW_MS),
      ]);
      const info = seen[0] ? await this.redis.hget(WORKER_INFO_KEY, seen[0]) : null;
      const first = oldest[0];
      return {
        redis: 'up', school: this.opts.school,
        waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0,
        oldestWaitingSeconds: first ? Math.max(0, Math.round((Date.now() - first.timestamp) / 100) / 10) : null,
        workersSeen: seen.length,
        ...(info ? { workerInfo: JSON.parse(info) as Record<string, unknown> } : {}),
      };
    } catch {
      return down;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, engineFailed());
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }

  private listen(): void {
    const { logger } = this.opts;
    this.redis.on('ready', () => {
      this.ready = true;
      // Redis may have restarted empty: (re-)announce this school's queue to the workers.
      this.redis.sadd(registryKey(this.opts.kind), queueName(this.opts.kind, this.opts.school)).catch(() => undefined);
    });
    this.redis.on('close', () => {
      if (this.ready && !this.closed) logger.error({ pending: this.pending.size }, 'lost the connection to Redis; failing the checks in flight');
      this.ready = false;
      // Fail closed at once: with Redis gone the jobs (and their bytes) may be gone too, and a
      // parent waiting for a deadline learns nothing more.
      for (const id of [...this.pending.keys()]) this.settle(id, engineFailed());
    });
    this.redis.on('error', () => undefined); // 'close' reports it; ioredis reconnects
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId }) => {
      if (!this.pending.has(jobId)) return;
      this.redis.getdel(resultKey(jobId)).then(
        (json) => {
          if (json === null) return this.settle(jobId, engineFailed());
          let value: unknown;
          try {
            value = JSON.parse(json);
          } catch {
            return this.settle(jobId, engineFailed());
          }
          this.settle(jobId, null, value);
        },
        () => this.settle(jobId, engineFailed()),
      );
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (this.pending.has(jobId)) this.settle(jobId, decodeFailure(failedReason));
    });
  }

  /** Counts this school's waiting jobs and adds the new one, one submission at a time. */
  private admit(jobId: string, data: JobData, written: Promise<unknown>): Promise<void> {
    const step = this.admission.then(async () => {
      const [waiting] = await Promise.all([this.queue.getJobCounts('wait', 'prioritized'), written]);
      if ((waiting.wait ?? 0) + (waiting.prioritized ?? 0) >= this.opts.maxBacklog) throw busy();
      await this.queue.add(this.opts.kind, data, {
        jobId, attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600, count: 1000 },
      });
    });
    this.admission = step.catch(() => undefined);
    return step;
  }

  /** Past the deadline: take the job off the queue if no worker has it yet and answer busy (the
   *  backlog was too long: try again later, with Retry-After), else engine_failed (a worker took
   *  too long). A worker that has it drops the result: nobody is waiting for it. */
  private expire(jobId: string): void {
    this.queue.remove(jobId).then((removed) => removed, () => 0).then((removed) => {
      this.opts.logger.warn({ jobId, deadlineMs: this.opts.deadlineMs, waiting: removed === 1 }, 'queue job passed its deadline');
      this.settle(jobId, removed === 1 ? busy() : engineFailed('The face engine did not answer in time; no copy was produced. Try again later.'));
    });
  }

  private settle(jobId: string, err: Error | null, value?: unknown): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  private forget(jobId: string): void {
    const p = this.pending.get(jobId);
    if (p) clearTimeout(p.timer);
    this.pending.delete(jobId);
    this.redis.del(resultKey(jobId)).catch(() => undefined);
  }
}

/** A worker's failedReason -> the error the school answers with. Only a well-formed 4xx (bad
 *  input) and busy pass through; a stall, a lost payload or anything unexpected is engine_failed. */
export function decodeFailure(failedReason: string | undefined): AppError {
  try {
    const f = jobFailure.parse(JSON.parse(failedReason ?? ''));
    if (f.status < 500) return new AppError(f.code, f.status, f.message);
    // A worker held it ahead and no face thread came free in time: the backlog was too long.
    if (f.code === 'busy') return busy();
  } catch {
    // not ours (BullMQ's "job stalled more than allowable limit"): fail closed below
  }
  return engineFailed();
}
