import path from 'node:path';
import type { Config } from './config';
import { createContext, outboxDir, type AppContext } from './context';
import { createFaceEngine } from './features/faces';
import type { FaceEngine } from './features/faces/types';
import { measuredEngine } from './features/faces/measured-engine';
import { createQueueFaceEngine } from './features/faces/queue-engine';
import { unavailableEngine } from './features/faces/unavailable-engine';
import { systemClock } from './platform/clock';
import { openDb } from './platform/db';
import type { Logger } from './platform/logger';
import { createMailer } from './platform/mailer';
import { createCipher, loadDataKey } from './platform/secrets';

/** Starts the engine; if the models cannot load, the service still runs and checks fail closed.
 *  With REDIS_URL the models live in worker processes instead (npm run worker). */
export async function startEngine(config: Config, logger: Logger): Promise<FaceEngine> {
  if (config.REDIS_URL) {
    return measuredEngine(await createQueueFaceEngine({ redisUrl: config.REDIS_URL, school: config.schoolId, maxQueue: config.FACE_QUEUE, logger }));
  }
  return measuredEngine(await startEmbeddedEngine(config, logger));
}

async function startEmbeddedEngine(config: Config, logger: Logger): Promise<FaceEngine> {
  try {
    return await createFaceEngine({ workers: config.FACE_WORKERS, cores: config.FACE_CORES, detector: config.FACE_DETECTOR, maxQueue: config.FACE_QUEUE, maxPixels: config.MAX_IMAGE_MEGAPIXELS * 1_000_000, logger });
  } catch (err) {
    logger.error({ err }, 'face engine failed to start; photo checks will be refused');
    return unavailableEngine('models failed to load');
  }
}

/** Opens everything a process needs (server or CLI) from the configuration. */
export async function boot(config: Config, logger: Logger, opts: { engine: boolean }): Promise<AppContext> {
  const db = openDb(path.join(config.DATA_DIR, 'sharesafe.db'));
  const cipher = createCipher(loadDataKey(config.DATA_KEY, config.DATA_DIR, logger));
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, outboxDir: outboxDir(config), logger });
  const engine = opts.engine ? await startEngine(config, logger) : unavailableEngine('not started by this command');
  const ctx = createContext({ config, db, clock: systemClock, logger, engine, mailer, cipher });
  const stranded = ctx.register.templatesUnderOtherKeys();
  if (stranded > 0) {
    logger.error({ templates: stranded, keyId: cipher.keyId }, 'face templates were sealed with another data key (after rotate-key, set the new key); those pupils are not recognised and stay blurred');
  }
  return ctx;
}
