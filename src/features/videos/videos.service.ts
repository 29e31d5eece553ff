// A parent's video check: upload (streamed to a private temp folder) -> checked at once for
// what it really is (4xx for anything else) -> a background job: faces detected and tracked,
// tracks decided by the photos' own rules, every frame blurred, a metadata-free MP4 -> result
// kept until CHECK_EXPIRY_MINUTES. The upload is deleted when the job ends, whatever happened.
import fs from 'node:fs';
import path from 'node:path';
import { AppError, notFound } from '../../platform/errors';
import type { Clock } from '../../platform/clock';
import type { JobContext, JobRecord, JobRunner } from '../../platform/jobs';
import type { Logger } from '../../platform/logger';
import type { Audit } from '../audit/audit.service';
import type { EventsPort, RegisterPort } from '../checks/checks.service';
import { roundBox } from '../checks/checks.service';
import { decideFaces, matchingFor, type MatchingSettings } from '../checks/face-decisions';
import { isVisible, type CheckMode, type Verdict } from '../checks/verdict';
import type { FaceEngine } from '../faces/types';
import { describeTools, type FfmpegTools } from './ffmpeg-tools';
import { inspectVideo, type VideoInfo, type VideoLimits } from './probe';
import { matchTrack, withoutSimultaneousClaims } from './track-decisions';
import type { Track } from './tracks';
import { createVideoStore } from './video-store';
import { detectEvery, detectTracks, renderSafeVideo } from './video-pipeline';
import type { StoredVideo } from './videos.presenter';

export interface VideosDeps {
  jobs: JobRunner;
  engine: FaceEngine;
  tools: FfmpegTools | { problem: string };
  register: RegisterPort;
  events?: EventsPort;
  audit: Audit;
  clock: Clock;
  logger: Logger;
  matching: MatchingSettings;
  limits: VideoLimits;
  expiryMinutes: number;
  /** UPLOADS_DIR: results go to videos/, uploads in progress to video-uploads/. */
  uploadsDir: string;
  detectionsPerSecond?: number;
}

interface VideoJob {
  ownerId: number;
  uploadDir: string;
  file: string;
  mode: CheckMode;
  eventId: number | null;
  info: VideoInfo;
}

/** Share of the progress bar for detection (the rest is blurring and encoding), measured. */
const DETECT_SHARE = 0.7;

export type VideosService = ReturnType<typeof createVideosService>;

export function createVideosService(d: VideosDeps) {
  const store = createVideoStore(path.join(d.uploadsDir, 'videos'));
  const uploadsRoot = path.join(d.uploadsDir, 'video-uploads');
  const working = new Set<string>();

  const tools = (): FfmpegTools => {
    if ('problem' in d.tools) throw new AppError('video_unavailable', 503, 'Videos cannot be checked on this server at the moment (its video tools are missing). Photos still can.');
    return d.tools;
  };

  async function run(job: VideoJob, ctx: JobContext) {
    const t = tools();
    const work = store.workDir(ctx.id);
    working.add(ctx.id);
    try {
      const candidates = job.eventId !== null && d.events ? d.events.participantIds(job.eventId) : undefined;
      const detected = await detectTracks({
        tools: t, file: job.file, info: job.info, signal: ctx.signal, engine: d.engine,
        every: detectEvery(job.info.fps, d.detectionsPerSecond), parallel: Math.max(1, Math.min(2, d.engine.workers)),
        onProgress: (f) => ctx.progress(f * DETECT_SHARE),
      });
      const matching = matchingFor(d.register, d.matching, job.ownerId, job.mode, candidates);
      const claims = withoutSimultaneousClaims(detected.tracks, detected.tracks.map((tr) => matchTrack(tr, (x) => matching.match(x))));
      const decisions = decideFaces(d.register, matching, claims, job.mode);
      const blurred = detected.tracks.filter((_, i) => !isVisible(decisions[i]!.verdict));
      const spotlight = job.mode === 'only_my_child' ? detected.tracks.filter((_, i) => decisions[i]!.verdict === 'own_child') : undefined;
      const { frames } = await renderSafeVideo(
        { tools: t, file: job.file, info: job.info, signal: ctx.signal, onProgress: (f) => ctx.progress(DETECT_SHARE + f * (1 - DETECT_SHARE)) },
        { detected, blurred, spotlight }, store.outputFile(work));
      const counts: Record<Verdict, number> = { own_child: 0, consented: 0, no_consent: 0, unknown: 0 };
      for (const x of decisions) counts[x.verdict] += 1;
      const now = d.clock.now();
      const record: StoredVideo = {
        id: ctx.id, ownerId: job.ownerId, eventId: job.eventId, mode: job.mode,
        width: job.info.width, height: job.info.height, durationSeconds: job.info.durationSeconds, frames,
        faces: detected.tracks.map((tr, i) => ({ ...describeTrack(tr), verdict: decisions[i]!.verdict, blurred: !isVisible(decisions[i]!.verdict), ...(decisions[i]!.pupil ? { pupil: decisions[i]!.pupil } : {}) })),
        counts, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + d.expiryMinutes * 60_000).toISOString(),
        visiblePupilIds: [...new Set(claims.filter((c, i): c is number => c !== null && isVisible(decisions[i]!.verdict)))].sort((a, b) => a - b),
      };
      store.commit(ctx.id, record);
      d.audit.record('video.completed', {
        actorId: job.ownerId, subjectType: job.eventId ? 'event' : undefined, subjectId: job.eventId ?? undefined,
        details: { seconds: Math.round(job.info.durationSeconds), frames, faces: detected.tracks.length, blurred: blurred.length, ...counts },
      });
      return { counts: { frames, detections: detected.detections, faces: detected.tracks.length, blurred: blurred.length } };
    } catch (err) {
      store.discardWork(ctx.id); // no partial output, ever
      throw err;
    } finally {
      working.delete(ctx.id);
    }
  }

  d.jobs.register<VideoJob>('video', {
    run,
    cleanup: (job) => fs.rmSync(job.uploadDir, { recursive: true, force: true }),
  });

  const owned = (userId: number, id: string): JobRecord => {
    const job = d.jobs.get(id);
    if (!job || job.kind !== 'video' || job.ownerId !== userId) throw notFound('video check');
    return job;
  };
  const liveResult = (job: JobRecord): StoredVideo | null => {
    if (job.state !== 'done') return null;
    const stored = store.load(job.id);
    return stored && new Date(stored.expiresAt) > d.clock.now() ? stored : null;
  };

  return {
    /** Which ffmpeg checks videos, or why none can (for the start-up log). */
    tools: describeTools(d.tools),

    /** Why videos cannot be checked here, or undefined. */
    get problem(): string | undefined {
      return 'problem' in d.tools ? d.tools.problem : undefined;
    },

    /** Refuses before a byte of the upload is read: no tools, or no room for another job. */
    admit(userId: number): void {
      tools();
      if (!d.jobs.hasRoom(userId)) {
        throw new AppError('busy', 503, 'Too many videos are being checked right now (or you already have some waiting). Try again in a few minutes.');
      }
    },

    /** A private folder for one upload; the caller deletes it unless it was handed to a job. */
    newUploadDir(): string {
      fs.mkdirSync(uploadsRoot, { recursive: true, mode: 0o700 });
      return fs.mkdtempSync(path.join(uploadsRoot, 'u-'));
    },

    discardUpload(dir: string): void {
      if (path.dirname(dir) === uploadsRoot) fs.rmSync(dir, { recursive: true, force: true });
    },

    /** Checks the uploaded file and queues the job; throws a 4xx for bad input (the caller then
     *  deletes the upload), 503 busy when the queue is full. */
    async submit(userId: number, upload: { dir: string; file: string }, opts: { mode: CheckMode; eventId?: number }): Promise<JobRecord> {
      const t = tools();
      if (opts.eventId !== undefined) {
        if (!d.events) throw notFound('event');
        d.events.participantIds(opts.eventId); // 404 for an unknown event, before any work
      }
      const info = await inspectVideo(t, upload.file, d.limits);
      const job = d.jobs.submit<VideoJob>('video', userId, {
        ownerId: userId, uploadDir: upload.dir, file: upload.file, mode: opts.mode, eventId: opts.eventId ?? null, info,
      }, {
        // Generous for a loaded machine, yet a parent who gave up is never sent a late result.
        deadlineMs: (10 * 60 + 10 * info.durationSeconds) * 1000,
        resultTtlMs: d.expiryMinutes * 60_000,
      });
      d.logger.info({ job: job.id, seconds: Math.round(info.durationSeconds), width: info.width, height: info.height }, 'video check queued');
      return job;
    },

    get(userId: number, id: string): { job: JobRecord; stored: StoredVideo | null } {
      const job = owned(userId, id);
      return { job, stored: liveResult(job) };
    },

    /** The parent's recent video checks, newest first. */
    list(userId: number, limit = 10): Array<{ job: JobRecord; stored: StoredVideo | null }> {
      return d.jobs.listForOwner(userId, 'video', limit).map((job) => ({ job, stored: liveResult(job) }));
    },

    filePath(userId: number, id: string): string {
      const job = owned(userId, id);
      const file = liveResult(job) ? store.filePath(id) : null;
      if (!file) throw notFound('video');
      return file;
    },

    remove(userId: number, id: string): void {
      owned(userId, id);
      d.jobs.forget(id);
      store.remove(id);
    },

    /** The account is being erased: its video checks go, running ones cancelled, at once. */
    removeOwnedBy(userId: number): number {
      const mine = d.jobs.listForOwner(userId, 'video', Number.MAX_SAFE_INTEGER);
      for (const job of mine) {
        d.jobs.forget(job.id);
        store.remove(job.id);
      }
      if (mine.length > 0) d.audit.record('videos.deleted', { subjectType: 'user', subjectId: userId, details: { count: mine.length, reason: 'account_erased' } });
      return mine.length;
    },

    removeShowingPupil(pupilId: number): number {
      const removed = store.removeShowing(pupilId);
      if (removed > 0) {
        d.audit.record('videos.deleted', { subjectType: 'pupil', subjectId: pupilId, details: { count: removed, reason: 'consent_ceased' } });
      }
      return removed;
    },

    /** Server start (not the CLI, which may run beside a server): jobs and uploads a previous
     *  process left behind. */
    recover(): void {
      d.jobs.recover();
      // Filesystem trouble here is the sweeper's to report and retry, never a failed start.
      try {
        fs.rmSync(uploadsRoot, { recursive: true, force: true });
      } catch (err) {
        d.logger.error({ code: (err as NodeJS.ErrnoException).code }, 'removing video uploads left by the previous process failed');
      }
    },

    sweep(): number {
      const now = d.clock.now();
      d.jobs.sweep(now);
      return store.sweep(now, working);
    },

    close: () => d.jobs.close(),
  };
}

/** A track as one face of the report: its clearest detection's box and its best score. */
function describeTrack(t: Track) {
  const best = t.detections.reduce((a, b) => (b.score > a.score ? b : a));
  return { box: roundBox(best.box), score: Math.round(best.score * 100) / 100 };
}
