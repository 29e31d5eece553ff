// A school for the evaluation: the service's own context (createContext) on a fresh temp SQLite
// database, with pupils, consents, guardians and references made through the register service
// methods the HTTP routes call. Nothing here re-implements matching, verdicts or blurring.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../src/config';
import { createContext, outboxDir, type AppContext } from '../src/context';
import type { Analysis, FaceEngine } from '../src/features/faces/types';
import type { Clock } from '../src/platform/clock';
import { openDb } from '../src/platform/db';
import { AppError } from '../src/platform/errors';
import { silentLogger } from '../src/platform/logger';
import { createMailer } from '../src/platform/mailer';
import { createCipher } from '../src/platform/secrets';

export interface MatchSetting {
  threshold?: number;
  margin?: number;
}

/** The service's configuration, parsed by parseConfig like the server's, in a temp folder.
 *  MATCH_* come from the environment unless the setting overrides them. */
export function evalConfig(setting: MatchSetting, workers: number): { config: Config; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-eval-'));
  const env: Record<string, string | undefined> = {
    DATA_DIR: path.join(dir, 'data'),
    UPLOADS_DIR: path.join(dir, 'uploads'),
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    FACE_WORKERS: String(workers),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    MATCH_THRESHOLD: setting.threshold !== undefined ? String(setting.threshold) : process.env.MATCH_THRESHOLD,
    MATCH_MARGIN: setting.margin !== undefined ? String(setting.margin) : process.env.MATCH_MARGIN,
  };
  return { config: parseConfig(env), dir };
}

/** The real engine behind a memo keyed by the photo's bytes: a sweep over match settings
 *  analyses each photo once. The check service still calls analyse() and does everything else
 *  itself; `misses` tells the caller which calls really ran the models (for timings). */
export class MemoEngine implements FaceEngine {
  private readonly memo = new Map<string, Promise<Analysis>>();
  misses = 0;

  constructor(readonly inner: FaceEngine) {}

  get backend(): string {
    return this.inner.backend;
  }

  get detector(): string {
    return this.inner.detector;
  }

  get describer(): string {
    return this.inner.describer;
  }

  get workers(): number {
    return this.inner.workers;
  }

  analyse(image: Buffer): Promise<Analysis> {
    const key = crypto.createHash('sha256').update(image).digest('hex');
    let result = this.memo.get(key);
    if (!result) {
      this.misses += 1;
      result = this.inner.analyse(image);
      // A failure is not remembered: the next call tries again.
      result.catch(() => this.memo.delete(key));
      this.memo.set(key, result);
    }
    return result;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface EvalSchool {
  ctx: AppContext;
  config: Config;
  adminId: number;
  parentId: number;
  /** identity -> pupil id, for identities with at least one accepted reference. */
  pupilOf: Map<string, number>;
  identityOf: Map<number, string>;
  enrolment: EnrolmentReport;
  close(): void;
}

export interface EnrolmentReport {
  portraits: number;
  accepted: number;
  /** Refusals by the service's error code (face_too_small, greyscale, reference_limit, ...). */
  refused: Record<string, number>;
  /** Identities none of whose portraits were accepted: their faces can never be recognised. */
  notEnrolled: string[];
}

/** Every identity becomes a pupil with biometric consent, enrolled from its portraits in manifest
 *  order; the service decides which portraits it accepts. */
export async function buildSchool(opts: {
  setting: MatchSetting;
  engine: FaceEngine;
  clock: Clock;
  workers: number;
  identities: Record<string, Buffer[]>;
}): Promise<EvalSchool> {
  const { config, dir } = evalConfig(opts.setting, opts.workers);
  const db = openDb(path.join(config.DATA_DIR, 'eval.db'));
  const ctx = createContext({
    config, db, clock: opts.clock, logger: silentLogger, engine: opts.engine,
    mailer: createMailer({ from: config.MAIL_FROM, outboxDir: outboxDir(config), logger: silentLogger }),
    cipher: createCipher(Buffer.from(config.DATA_KEY!, 'base64')),
  });
  const adminId = ctx.accounts.createUserRecord({ email: 'office@eval.invalid', name: 'Eval Office', role: 'admin' }, null).user.id;
  const parentId = ctx.accounts.createUserRecord({ email: 'parent@eval.invalid', name: 'Eval Parent', role: 'parent' }, null).user.id;
  const { register } = ctx;
  const enrolment: EnrolmentReport = { portraits: 0, accepted: 0, refused: {}, notEnrolled: [] };
  const pupilOf = new Map<string, number>();
  const identityOf = new Map<number, string>();

  const entries = Object.entries(opts.identities);
  const pupils = entries.map(([identity], i) => {
    // Neutral names: the register never needs to know who the photos show.
    const pupil = register.createPupil({ firstName: `Pupil${i + 1}`, lastName: 'Eval', className: 'E1', yearGroup: 'Y3', upn: null }, adminId);
    register.recordBiometricConsent(pupil.id, { parentConsent: true, parentObjection: false, childObjection: false, givenBy: 'eval', note: null }, adminId);
    return { identity, pupilId: pupil.id };
  });
  // Pupils in parallel (the engine pool has `workers` threads), each pupil's portraits in order.
  await forEachLimit(pupils, opts.workers, async ({ identity, pupilId }) => {
    for (const photo of opts.identities[identity]!) {
      enrolment.portraits += 1;
      try {
        await register.enrolReference(pupilId, photo, adminId);
        enrolment.accepted += 1;
        pupilOf.set(identity, pupilId);
        identityOf.set(pupilId, identity);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        enrolment.refused[err.code] = (enrolment.refused[err.code] ?? 0) + 1;
      }
    }
  });
  enrolment.notEnrolled = entries.map(([id]) => id).filter((id) => !pupilOf.has(id));
  return {
    ctx, config, adminId, parentId, pupilOf, identityOf, enrolment,
    close: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Photo-sharing consent for every pupil, as the office records it. */
export function setPhotoConsent(s: EvalSchool, status: 'granted' | 'refused'): void {
  for (const pupilId of s.identityOf.keys()) {
    s.ctx.register.recordPhotoConsent(pupilId, { status, givenBy: 'eval', note: null }, s.adminId);
  }
}

/** Makes the checking parent a guardian of every enrolled pupil. */
export async function linkParentToAll(s: EvalSchool): Promise<void> {
  for (const pupilId of s.identityOf.keys()) {
    await s.ctx.register.addGuardian(pupilId, { userId: s.parentId, relationship: null }, s.adminId);
  }
}

export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
}
