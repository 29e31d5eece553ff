import path from 'node:path';
import { createApp } from './app';
import { parseConfig, type Config } from './config';
import { createContext, outboxDir } from './context';
import { createFaceEngine } from './features/faces';
import { unavailableEngine } from './features/faces/unavailable-engine';
import type { FaceEngine } from './features/faces/types';
import { systemClock } from './platform/clock';
import { openDb } from './platform/db';
import { createLogger, type Logger } from './platform/logger';
import { createMailer } from './platform/mailer';
import { createCipher, loadDataKey } from './platform/secrets';
import { bootstrapFirstAdmin } from './features/accounts/first-admin';

async function startEngine(config: Config, logger: Logger): Promise<FaceEngine> {
  try {
    return await createFaceEngine({ workers: config.FACE_WORKERS, maxQueue: config.FACE_QUEUE, logger });
  } catch (err) {
    logger.error({ err }, 'face engine failed to start; photo checks will be refused');
    return unavailableEngine('models failed to load');
  }
}

async function main() {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const db = openDb(path.join(config.DATA_DIR, 'sharesafe.db'));
  const cipher = createCipher(loadDataKey(config.DATA_KEY, config.DATA_DIR, logger));
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, outboxDir: outboxDir(config), logger });
  if (!config.SMTP_URL) logger.warn({ outbox: outboxDir(config) }, 'no SMTP_URL set: emails are written to a folder, not sent');
  const engine = await startEngine(config, logger);
  const ctx = createContext({ config, db, clock: systemClock, logger, engine, mailer, cipher });
  const app = createApp(ctx);
  const background = ctx.startBackground();

  const server = app.listen(config.PORT, config.HOST, () => {
    logger.info({ url: config.publicUrl, backend: engine.backend, workers: engine.workers }, 'ShareSafe is listening');
    const setup = bootstrapFirstAdmin(ctx.accounts);
    if (setup) {
      // Printed to the terminal (not only the log) so the operator sees it once.
      console.log(`\n  First start: sign in as the school-office admin by opening this one-time link:\n\n    ${setup}\n\n  (It expires in 14 days. Or run: npm run cli -- create-admin --email you@school --name "Your Name")\n`);
    }
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(async () => {
      for (const stop of background) await stop();
      await engine.close();
      db.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
