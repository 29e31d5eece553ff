// The face engine behind a BullMQ queue on Redis (REDIS_URL set): each photo goes by a Redis key
// to whichever worker process (npm run worker) is free, with the same contract as the in-process
// engine: the same Analysis, 415/422 for bad input, 503 busy when this school's backlog is full,
// 503 engine_failed on any failure, stall, lost connection or deadline. The check, the register
// and the safe copy do not know which engine they have.
import { engineFailed } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { JobProducer } from '../../platform/queue/job-producer';
import { fromWire } from './analysis-wire';
import type { AnalyseOptions, Analysis, EngineHealth, FaceEngine } from './types';

export interface QueueEngineOptions {
  redisUrl: string;
  /** This school's queue (SCHOOL_ID). */
  school: string;
  /** Photos of this school allowed to wait for a worker; more get 503 busy (FACE_QUEUE). */
  maxQueue: number;
  /** Per photo, queueing included, as the in-process engine's job timeout. */
  deadlineMs?: number;
  logger: Logger;
}

const STATUS_REFRESH_MS = 5_000;

class QueueFaceEngine implements FaceEngine {
  readonly backend = 'queue';
  private seen = 0;
  private info: Record<string, unknown> = {};
  private timer: NodeJS.Timeout;

  constructor(private readonly producer: JobProducer, private readonly school: string) {
    this.timer = setInterval(() => void this.refresh(), STATUS_REFRESH_MS);
    this.timer.unref();
  }

  get detector(): string {
    return String(this.info.detector ?? 'remote');
  }

  get describer(): string {
    return String(this.info.describer ?? 'remote');
  }

  /** Worker processes seen in the last minute. */
  get workers(): number {
    return this.seen;
  }

  get problem(): string | undefined {
    if (!this.producer.connected) return 'Redis cannot be reached';
    if (this.seen === 0) return 'no face worker process seen in the last minute';
    return undefined;
  }

  async refresh(): Promise<EngineHealth> {
    const s = await this.producer.status();
    this.seen = s.workersSeen;
    if (s.workerInfo) this.info = s.workerInfo;
    return { mode: 'queue', school: this.school, redis: s.redis, waiting: s.waiting, active: s.active, workers: s.workersSeen, oldestWaitingSeconds: s.oldestWaitingSeconds };
  }

  health(): Promise<EngineHealth> {
    return this.refresh();
  }

  async analyse(image: Buffer, options: AnalyseOptions = {}): Promise<Analysis> {
    if (!this.producer.connected) throw engineFailed('The face engine cannot be reached (Redis is down); no copy was produced. Try again later.');
    // Fail fast rather than wait for the deadline when nobody would take the job.
    if (this.seen === 0 && (await this.refresh()).workers === 0) throw engineFailed('No face worker is running; no copy was produced. Try again later.');
    const t0 = performance.now();
    const analysis = fromWire(await this.producer.submit(image, { magnify: options.magnify !== false }));
    const total = performance.now() - t0;
    analysis.timings = { ...analysis.timings, worker: analysis.timings.total ?? 0, total };
    return analysis;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.producer.close();
  }
}

export async function createQueueFaceEngine(opts: QueueEngineOptions): Promise<FaceEngine> {
  const producer = await JobProducer.start({
    redisUrl: opts.redisUrl, kind: 'photo', school: opts.school, maxBacklog: opts.maxQueue,
    deadlineMs: opts.deadlineMs ?? 120_000, logger: opts.logger,
  });
  const engine = new QueueFaceEngine(producer, opts.school);
  await engine.refresh();
  opts.logger.info({ school: opts.school, workers: engine.workers, redis: producer.connected ? 'up' : 'down' }, 'face engine: queue on Redis');
  return engine;
}
