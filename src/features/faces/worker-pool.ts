// A fixed pool of worker threads with a bounded queue. Generic over the job payload: the face
// worker is one user, tests use a tiny fake worker. Failure policy (fail closed): a job that
// throws, times out or whose worker dies is rejected with engine_failed - never a partial
// result - and its worker is replaced, since its tfjs state can no longer be trusted.
import { Worker } from 'node:worker_threads';
import { busy, engineFailed } from '../../platform/errors';
import type { Logger } from '../../platform/logger';

export interface PoolOptions {
  /** Worker entry; a .ts file is started through tsx (jest, tsx dev), a .js file directly. */
  file: string;
  size: number;
  /** Jobs allowed to wait for a free worker; beyond it run() rejects with busy (503). */
  maxQueue: number;
  /** Budget per job from submission, queueing included. */
  jobTimeoutMs: number;
  /** Budget for a worker to load its models and report ready. */
  startTimeoutMs?: number;
  workerData?: unknown;
  logger: Logger;
}

export interface ReadyInfo {
  [key: string]: unknown;
}

interface Job {
  payload: unknown;
  transfer: ArrayBuffer[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  job?: Job;
  /** 'dying': terminate() was called; it must get no more jobs while its exit is pending. */
  state: 'starting' | 'ready' | 'dying';
}

type WorkerMessage = { type: 'ready'; info: ReadyInfo } | { type: 'result'; ok: true; result: unknown } | { type: 'result'; ok: false; message: string };

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private closed = false;
  /** What the first worker reported when ready (e.g. which backend it runs). */
  info: ReadyInfo = {};

  private constructor(private readonly opts: PoolOptions) {}

  /** Starts every worker and waits until all are ready, so start-up fails loudly (missing
   *  models, broken backend) instead of failing each later request. */
  static async start(opts: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    try {
      const infos = await Promise.all(Array.from({ length: opts.size }, () => pool.spawn()));
      pool.info = infos[0] ?? {};
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.opts.size;
  }

  /** True when run() would queue or start the job right now rather than reject it. */
  hasRoom(): boolean {
    return !this.closed && this.queue.length < this.opts.maxQueue;
  }

  /** Runs the job on a free worker, or queues it. `signal`: a job still queued when it aborts
   *  is taken off the queue and rejected with busy (nobody would wait for it); a started job
   *  runs to its end. */
  run<T>(payload: unknown, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(engineFailed());
    if (signal?.aborted) return Promise.reject(busy());
    const idle = [...this.slots].find((s) => s.state === 'ready' && !s.job);
    if (!idle && this.queue.length >= this.opts.maxQueue) return Promise.reject(busy());
    return new Promise<T>((resolve, reject) => {
      const job: Job = { payload, transfer, resolve: resolve as (v: unknown) => void, reject, timer: undefined as never };
      job.timer = setTimeout(() => this.timeOut(job), this.opts.jobTimeoutMs);
      if (idle) return this.dispatch(idle, job);
      this.queue.push(job);
      signal?.addEventListener('abort', () => {
        const queued = this.queue.indexOf(job);
        if (queued < 0) return;
        this.queue.splice(queued, 1);
        clearTimeout(job.timer);
        job.reject(busy());
      }, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.fail(job, 'engine closed');
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) if (slot.job) this.fail(slot.job, 'engine closed');
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Jobs waiting for a free worker. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Jobs being processed right now. */
  get running(): number {
    return [...this.slots].filter((s) => s.job).length;
  }

  /** Test and diagnostics hook: the live workers' thread ids. */
  threadIds(): number[] {
    return [...this.slots].map((s) => s.worker.threadId);
  }

  /** Test hook: kills one worker as a crash would. */
  async killWorker(threadId: number): Promise<void> {
    const slot = [...this.slots].find((s) => s.worker.threadId === threadId);
    if (!slot) return;
    slot.state = 'dying';
    await slot.worker.terminate();
  }

  private spawn(): Promise<ReadyInfo> {
    const { file, workerData } = this.opts;
    const worker = new Worker(file, { workerData, execArgv: file.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [] });
    const slot: Slot = { worker, state: 'starting' };
    this.slots.add(slot);
    return new Promise<ReadyInfo>((resolve, reject) => {
      const startTimer = setTimeout(() => {
        reject(new Error('face worker did not start in time'));
        void worker.terminate();
      }, this.opts.startTimeoutMs ?? 180_000);
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          clearTimeout(startTimer);
          slot.state = 'ready';
          resolve(msg.info);
          this.next(slot);
        } else {
          this.finish(slot, msg);
        }
      });
      worker.on('error', (err) => {
        this.opts.logger.error({ err: err.message, threadId: worker.threadId }, 'face worker error');
      });
      worker.on('exit', (code) => {
        clearTimeout(startTimer);
        reject(new Error(`face worker exited during start-up (code ${code})`));
        this.retire(slot, `worker exited (code ${code})`);
      });
    });
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    slot.worker.postMessage(job.payload, job.transfer);
  }

  private finish(slot: Slot, msg: WorkerMessage & { type: 'result' }): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    clearTimeout(job.timer);
    if (msg.ok) {
      job.resolve(msg.result);
      this.next(slot);
    } else {
      this.opts.logger.error({ threadId: slot.worker.threadId, reason: msg.message }, 'face job failed; replacing worker');
      job.reject(engineFailed());
      this.kill(slot);
    }
  }

  private kill(slot: Slot): void {
    slot.state = 'dying';
    void slot.worker.terminate();
  }

  private timeOut(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.opts.logger.error({ queued: queued >= 0, timeoutMs: this.opts.jobTimeoutMs }, 'face job timed out');
    job.reject(engineFailed());
    if (job.slot && job.slot.job === job) {
      job.slot.job = undefined;
      this.kill(job.slot);
    }
  }

  /** A worker is gone: fail its job, and start a replacement unless the pool is closing. A worker
   *  that never became ready is not replaced here: start() or the retry below reports that. */
  private retire(slot: Slot, reason: string): void {
    if (!this.slots.delete(slot)) return;
    if (slot.job) this.fail(slot.job, reason);
    if (this.closed || slot.state === 'starting') return;
    this.opts.logger.warn({ reason }, 'replacing face worker');
    this.replace(0);
  }

  private replace(attempt: number): void {
    if (this.closed) return;
    this.spawn().catch((err: Error) => {
      this.opts.logger.error({ err: err.message, attempt }, 'replacement face worker failed to start');
      // With no worker left, queued jobs would only wait for their timeout: fail them now.
      if (this.slots.size === 0) for (const job of this.queue.splice(0)) this.fail(job, 'no face workers');
      const retry = setTimeout(() => this.replace(attempt + 1), Math.min(60_000, 1000 * 2 ** attempt));
      retry.unref();
    });
  }

  private fail(job: Job, reason: string): void {
    clearTimeout(job.timer);
    this.opts.logger.warn({ reason }, 'face job rejected');
    job.reject(engineFailed());
  }

  private next(slot: Slot): void {
    const job = this.queue.shift();
    if (job) this.dispatch(slot, job);
  }
}
