import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

// One schema for the environment. Every setting has an embedded default so that a fresh
// checkout runs with `npm start`; a bad value prints every problem and stops the process.

/** Guard rails on matching: settings outside them would show children who must be blurred. */
export const MAX_MATCH_THRESHOLD = 0.55;
export const MIN_MATCH_MARGIN = 0.05;

const intFrom = (def: number) => z.coerce.number().int().positive().default(def);
const bool = (def: boolean) =>
  z.enum(['true', 'false', '1', '0']).default(def ? 'true' : 'false').transform((v) => v === 'true' || v === '1');

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address people use to reach the service; goes into emailed links. */
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('data'),
  UPLOADS_DIR: z.string().default('uploads'),
  /** base64 of 32 bytes; encrypts face templates at rest. Generated into DATA_DIR when absent,
   *  except in production (NODE_ENV=production), which refuses to start without it. */
  DATA_KEY: z.string().optional(),
  NODE_ENV: z.string().default('development'),
  SCHOOL_NAME: z.string().default('Our School'),
  FACE_WORKERS: intFrom(Math.max(1, os.availableParallelism())),
  /** Cores the face engine may use (default: all). Set it to cores / processes when several face
   *  worker processes share one machine, so their onnxruntime threads do not outnumber the cores. */
  FACE_CORES: intFrom(Math.max(1, os.availableParallelism())),
  FACE_QUEUE: intFrom(32),
  /** 'both' (RetinaFace and YuNet, merged: finds the most faces), 'retinaface', 'yunet' or
   *  'ssd' (face-api only; no onnxruntime). */
  FACE_DETECTOR: z.enum(['both', 'retinaface', 'yunet', 'ssd']).default('both'),
  /** Strict distance under which a face may match a pupil (face-api's own 0.6 is too loose).
   *  Calibrated with `npm run eval`: docs/accuracy.md. Above 0.55 strangers start to match (the
   *  nearest stranger on the eval set was at 0.563), so the service refuses to start. */
  MATCH_THRESHOLD: z.coerce.number().positive()
    .max(MAX_MATCH_THRESHOLD, `Above ${MAX_MATCH_THRESHOLD} strangers are taken for pupils (docs/accuracy.md); the default is 0.5.`)
    .default(0.5),
  /** How much further the next-best pupil must be before a match counts. Under 0.05 two
   *  look-alike pupils (siblings) are told apart on noise, so the service refuses to start. */
  MATCH_MARGIN: z.coerce.number()
    .min(MIN_MATCH_MARGIN, `Under ${MIN_MATCH_MARGIN} look-alike pupils are told apart on noise (docs/accuracy.md); the default is 0.08.`)
    .max(1).default(0.08),
  CHECK_EXPIRY_MINUTES: intFrom(60),
  MAX_UPLOAD_MB: intFrom(25),
  MAX_PHOTOS_PER_CHECK: intFrom(20),
  /** Check requests handled at once (each holds its photos in memory); more get 503 busy. */
  MAX_CHECKS_IN_FLIGHT: intFrom(8),
  /** ...and per user, so one parent cannot hold every slot (the check page sends two at a time). */
  MAX_CHECKS_PER_USER: intFrom(2),
  /** Total size of one check request: with 8 in flight, 100 MB each bounds uploads held in
   *  memory at 0.8 GB (MAX_UPLOAD_MB x MAX_PHOTOS_PER_CHECK alone would allow 500 MB each). */
  MAX_CHECK_REQUEST_MB: intFrom(100),
  MAX_IMAGE_MEGAPIXELS: intFrom(200),
  /** Video checks: longest clip (seconds) and largest upload (MB); jobs run at once and waiting
   *  (more get 503 busy). */
  VIDEO_MAX_SECONDS: intFrom(300),
  VIDEO_MAX_MB: intFrom(500),
  VIDEO_JOBS: intFrom(1),
  VIDEO_QUEUE: intFrom(4),
  SESSION_DAYS: intFrom(14),
  /** Leavers' records, consents and links (and parent accounts left without a child on roll)
   *  are erased this many months after leaving. */
  RETENTION_MONTHS: intFrom(12),
  /** Audit entries are kept this many months (six years: the limitation period for claims). */
  AUDIT_RETENTION_MONTHS: intFrom(72),
  /** Default: true when PUBLIC_URL is https. */
  SECURE_COOKIES: z.enum(['true', 'false', '1', '0']).optional().transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  /** Who may set X-Forwarded-For: 'none' (default), a hop count, or addresses/subnets
   *  ('loopback', '10.0.0.1', '172.16.0.0/12'), comma-separated. */
  TRUST_PROXY: z.string().default('none'),
  /** Sign-in attempts from one address (any account) per 15 minutes. */
  SIGN_IN_ATTEMPTS_PER_ADDRESS: intFrom(50),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('ShareSafe <no-reply@localhost>'),
  /** Set: photos are analysed by worker processes (npm run worker) through a BullMQ queue on this
   *  Redis; unset: by worker threads in this process (docs/deployment.md). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'Expected redis://host:port or rediss://...').optional(),
  /** This school's queue name on a shared Redis; default: SCHOOL_NAME in lower case with dashes. */
  SCHOOL_ID: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Lower-case letters, digits and dashes (up to 63).').optional(),
  /** Worker processes: a worker silent this long loses its photo to another worker. */
  QUEUE_LOCK_SECONDS: intFrom(30),
  /** Worker processes: photos held beyond the face threads, fetched and decoded while they work (0: none). */
  QUEUE_PREFETCH: z.coerce.number().int().min(0).max(8).default(0),
  /** Set: Prometheus metrics at /metrics for `Authorization: Bearer <token>`; unset: no /metrics. */
  METRICS_TOKEN: z.string().min(16, 'Use at least 16 characters.').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = Readonly<Omit<z.output<typeof schema>, 'SECURE_COOKIES'> & { publicUrl: string; SECURE_COOKIES: boolean; schoolId: string }>;

/** "St Mary's C of E Primary" -> "st-mary-s-c-of-e-primary". */
export const schoolIdFrom = (name: string): string =>
  name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '') || 'school';

/** Reads each setting from NAME, or from the file named by NAME_FILE (secrets mounted as files).
 *  Only ShareSafe's own settings: other programs' *_FILE variables are none of our business. */
function withFileSecrets(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(schema.shape)) {
    const file = env[`${name}_FILE`];
    out[name] = env[name] ?? (file ? readSecretFile(name, file) : undefined);
  }
  return out;
}

function readSecretFile(name: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`Invalid configuration:\n  ${name}_FILE: cannot read ${file} (${(err as Error).message})`);
  }
}

export function parseConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const result = schema.safeParse(withFileSecrets(env as NodeJS.ProcessEnv));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  const c = result.data;
  if (c.NODE_ENV === 'production' && !c.DATA_KEY) {
    throw new Error('Invalid configuration:\n  DATA_KEY: required when NODE_ENV=production. Set DATA_KEY or DATA_KEY_FILE from a secret store ' +
      '(a key generated beside the database protects nothing if the disk is stolen; it is for trying ShareSafe out).');
  }
  const publicUrl = (c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`).replace(/\/$/, '');
  return Object.freeze({
    ...c,
    DATA_DIR: path.resolve(c.DATA_DIR),
    UPLOADS_DIR: path.resolve(c.UPLOADS_DIR),
    // Over https, session cookies are Secure unless the operator says otherwise.
    SECURE_COOKIES: c.SECURE_COOKIES ?? publicUrl.startsWith('https:'),
    publicUrl,
    schoolId: c.SCHOOL_ID ?? schoolIdFrom(c.SCHOOL_NAME),
  });
}

/** Configuration for tests: temp folders, fast settings, overridable. */
export function testConfig(overrides: Partial<Record<keyof z.input<typeof schema>, string>> = {}): Config {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-test-'));
  return parseConfig({
    DATA_DIR: path.join(dir, 'data'),
    UPLOADS_DIR: path.join(dir, 'uploads'),
    DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
    FACE_WORKERS: '1',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    ...overrides,
  });
}
