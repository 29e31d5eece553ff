import path from 'node:path';
import type { Config } from './config';
import { createAccountsService, type AccountsService } from './features/accounts/accounts.service';
import { createAudit, type Audit } from './features/audit/audit.service';
import { createCheckStore } from './features/checks/check-store';
import { createChecksService, type ChecksService } from './features/checks/checks.service';
import { createEventsFeature, type EventsFeature } from './features/events';
import { createHousekeeping, type Housekeeping } from './features/housekeeping/housekeeping.service';
import type { FaceEngine } from './features/faces/types';
import { createRegisterService, type RegisterService } from './features/register/register.service';
import type { Clock } from './platform/clock';
import type { Db } from './platform/db';
import type { Logger } from './platform/logger';
import type { Mailer } from './platform/mailer';
import type { Cipher } from './platform/secrets';
import { createInProcessJobRunner, type JobRunner } from './platform/jobs';
import { findFfmpegTools, type FfmpegTools } from './features/videos/ffmpeg-tools';
import { DEFAULT_VIDEO_LIMITS } from './features/videos/probe';
import { createVideosService, type VideosService } from './features/videos/videos.service';

/** Everything the features need, built once by main.ts (or a test) and handed to createApp. */
export interface Infrastructure {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  engine: FaceEngine;
  mailer: Mailer;
  cipher: Cipher;
  /** ffmpeg for videos; found on the system or in node_modules when not given. */
  ffmpeg?: FfmpegTools | { problem: string };
  /** scrypt cost for new password hashes; production leaves it to the default (OWASP's 2^17). */
  passwordScryptN?: number;
}

export interface AppContext extends Infrastructure {
  audit: Audit;
  accounts: AccountsService;
  register: RegisterService;
  checks: ChecksService;
  events: EventsFeature;
  jobs: JobRunner;
  videos: VideosService;
  housekeeping: Housekeeping;
  /** Starts sweepers and schedulers; returns functions that stop them. */
  startBackground(): Array<() => Promise<void>>;
}

/** The composition root for services: each feature's service gets only what it needs. */
export function createContext(infra: Infrastructure): AppContext {
  const { config, db, clock, mailer } = infra;
  const audit = createAudit(db, clock);
  const accounts = createAccountsService({
    db, clock, audit, mailer, publicUrl: config.publicUrl, schoolName: config.SCHOOL_NAME, sessionDays: config.SESSION_DAYS,
    passwordScryptN: infra.passwordScryptN,
  });
  const register = createRegisterService({
    db, clock, audit, accounts, cipher: infra.cipher, engine: infra.engine,
    mail: { mailer, publicUrl: config.publicUrl, schoolName: config.SCHOOL_NAME },
    matching: { threshold: config.MATCH_THRESHOLD, margin: config.MATCH_MARGIN },
  });
  const events = createEventsFeature({
    db, clock, audit, mailer, logger: infra.logger, publicUrl: config.publicUrl, schoolName: config.SCHOOL_NAME,
    photoConsent: (ids) => register.photoConsentDecisions(ids),
    invitationFor: (userId) => accounts.invitationForReminder(userId),
  });
  const checks = createChecksService({
    engine: infra.engine, register, events, store: createCheckStore(config.UPLOADS_DIR), audit, clock, logger: infra.logger,
    matching: { threshold: config.MATCH_THRESHOLD, margin: config.MATCH_MARGIN, outsiderMargin: config.MATCH_MARGIN + 0.04 },
    expiryMinutes: config.CHECK_EXPIRY_MINUTES,
    imageLimits: { maxPixels: config.MAX_IMAGE_MEGAPIXELS * 1_000_000 },
    admission: { total: config.MAX_CHECKS_IN_FLIGHT, perUser: config.MAX_CHECKS_PER_USER, maxBytes: config.MAX_CHECK_REQUEST_MB * 1024 * 1024 },
  });
  const jobs = createInProcessJobRunner({
    db, clock, logger: infra.logger, concurrency: config.VIDEO_JOBS, maxQueued: config.VIDEO_QUEUE, maxPerOwner: 2,
  });
  const videos = createVideosService({
    jobs, engine: infra.engine, tools: infra.ffmpeg ?? findFfmpegTools(), register, events, audit, clock, logger: infra.logger,
    matching: { threshold: config.MATCH_THRESHOLD, margin: config.MATCH_MARGIN, outsiderMargin: config.MATCH_MARGIN + 0.04 },
    limits: { ...DEFAULT_VIDEO_LIMITS, maxSeconds: config.VIDEO_MAX_SECONDS },
    expiryMinutes: config.CHECK_EXPIRY_MINUTES, uploadsDir: config.UPLOADS_DIR,
  });
  // Stored safe copies showing a pupil go the moment that pupil's consent ceases.
  register.onConsentCeased((pupilId) => checks.removeShowingPupil(pupilId));
  register.onConsentCeased((pupilId) => videos.removeShowingPupil(pupilId));
  // An erased account's checks go with it, not at their expiry.
  register.onAccountErasing((userId) => checks.removeOwnedBy(userId));
  register.onAccountErasing((userId) => videos.removeOwnedBy(userId));
  const housekeeping = createHousekeeping({
    db, clock, audit, logger: infra.logger, accounts, register,
    retentionMonths: config.RETENTION_MONTHS, auditRetentionMonths: config.AUDIT_RETENTION_MONTHS,
    outboxDir: config.SMTP_URL ? null : outboxDir(config),
  });
  const startBackground = () => {
    const stops: Array<() => Promise<void>> = [];
    videos.recover();
    // Reminder e-mails: jobs live in the database, so a restart resumes where the last run stopped.
    events.scheduler.start();
    stops.push(() => events.scheduler.stop());
    // Expired check results are deleted every minute, and at once on start for what a
    // previous process left behind.
    // A filesystem error (uploads folder gone, permissions) is logged and retried next minute:
    // thrown inside setInterval it would end the process.
    const sweep = () => {
      try {
        const removed = checks.sweep() + videos.sweep();
        if (removed > 0) infra.logger.info({ removed }, 'expired checks deleted');
      } catch (err) {
        infra.logger.error({ code: (err as NodeJS.ErrnoException).code }, 'sweeping expired checks failed; retrying in a minute');
      }
    };
    sweep();
    const timer = setInterval(sweep, 60_000);
    timer.unref();
    stops.push(async () => clearInterval(timer));
    // Retention and expired credentials: at start, then hourly; a failure is logged and retried.
    const keepHouse = () => {
      try {
        const report = housekeeping.run();
        if (Object.values(report).some((n) => n > 0)) infra.logger.info({ ...report }, 'housekeeping');
      } catch (err) {
        infra.logger.error({ code: (err as NodeJS.ErrnoException).code }, 'housekeeping failed; retrying in an hour');
      }
    };
    keepHouse();
    const houseTimer = setInterval(keepHouse, 3_600_000);
    houseTimer.unref();
    stops.push(async () => clearInterval(houseTimer));
    stops.push(() => jobs.close());
    return stops;
  };
  return { ...infra, audit, accounts, register, checks, events, jobs, videos, housekeeping, startBackground };
}

export const outboxDir = (config: Config) => path.join(config.DATA_DIR, 'outbox');
