// One job model for long work: a job has an owner, a state, progress, a deadline and a result
// that expires. Video checks use it now; queued photo checks can use the same model later. The
// execution part sits behind JobRunner so a queue-backed runner (BullMQ on Redis) can replace the
// in-process one without the features noticing. Payloads are plain JSON for that reason.

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'expired';
export type JobKind = 'video';

export interface JobRecord {
  id: string;
  kind: JobKind;
  ownerId: number;
  state: JobState;
  /** 0..1. */
  progress: number;
  /** Time left in seconds while running (from the progress so far), else null. */
  etaSeconds: number | null;
  /** Stable code when failed (e.g. 'engine_failed', 'deadline_passed', 'interrupted'). */
  errorCode: string | null;
  /** Small counts the handler reported (frames, faces, blurred); never names or faces. */
  counts: Record<string, number>;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Not finished by then: dropped (queued) or stopped (running), never delivered late. */
  deadline: string;
  /** When the result is deleted (set once done). */
  expiresAt: string | null;
}

export interface JobContext {
  readonly id: string;
  /** Aborted when the job is cancelled, passes its deadline or the runner closes. */
  readonly signal: AbortSignal;
  /** Reports progress, 0..1; the runner derives the time left. */
  progress(fraction: number): void;
}

export interface JobHandler<P> {
  /** Does the work; resolves with counts for the record. A rejection fails the job with the
   *  error's `code` when it has one, else 'internal'. */
  run(payload: P, ctx: JobContext): Promise<{ counts?: Record<string, number> }>;
  /** Always called once the job is over, whether it ran, failed, was cancelled or dropped:
   *  deletes whatever the payload points at (temp files). Must not throw. */
  cleanup(payload: P, jobId: string): void;
}

export interface SubmitOptions {
  /** From submission to the end of the work. */
  deadlineMs: number;
  /** How long a result is kept once done. */
  resultTtlMs: number;
}

export interface JobRunner {
  /** Registers the handler for a kind (once, at start-up). */
  register<P>(kind: JobKind, handler: JobHandler<P>): void;
  /** Whether a new job from this owner would be accepted now (checked before a large upload
   *  is read, so a refused upload costs nothing). */
  hasRoom(ownerId: number): boolean;
  /** Queues a job; throws AppError 'busy' (503, Retry-After) when the backlog is full. */
  submit<P>(kind: JobKind, ownerId: number, payload: P, opts: SubmitOptions): JobRecord;
  get(id: string): JobRecord | null;
  /** Newest first. */
  listForOwner(ownerId: number, kind: JobKind, limit: number): JobRecord[];
  /** Stops a queued or running job (it fails with 'cancelled'); no-op for a finished one. */
  cancel(id: string): void;
  /** Deletes a finished job's record (its owner said "delete now"); a queued or running job is
   *  cancelled instead and its record ends as failed 'cancelled'. */
  forget(id: string): void;
  /** Marks results past their expiry as expired and forgets old records; returns the ids
   *  whose results must now be deleted. */
  sweep(now: Date): string[];
  /** At server start: jobs a previous process left queued or running fail as 'interrupted'
   *  (their inputs died with it). Returns how many. */
  recover(): number;
  /** Stops taking work, aborts what runs and waits for it to wind down. */
  close(): Promise<void>;
}
