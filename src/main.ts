import { createApp } from './app';
import { boot } from './boot';
import { parseConfig, type Config } from './config';
import { outboxDir } from './context';
import { bootstrapFirstAdmin } from './features/accounts/first-admin';
import { createLogger } from './platform/logger';
import { installProcessGuard } from './platform/process-guard';

async function main() {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  installProcessGuard(logger);
  const ctx = await boot(config, logger, { engine: true });
  if (!config.SMTP_URL) logger.warn({ outbox: outboxDir(config) }, 'no SMTP_URL set: emails are written to a folder, not sent');
  const app = createApp(ctx);
  const background = ctx.startBackground();

  const server = app.listen(config.PORT, config.HOST, () => {
    logger.info({ url: config.publicUrl, backend: ctx.engine.backend, detector: ctx.engine.detector, describer: ctx.engine.describer, workers: ctx.engine.workers, video: ctx.videos.tools }, 'ShareSafe is listening');
    const setup = bootstrapFirstAdmin(ctx.accounts);
    if (setup) {
      // Printed to the terminal, not only the log, so the operator sees it.
      console.log(`\n  First start: open this one-time link to set the school-office admin's password:\n\n    ${setup}\n\n  It works once and expires in 14 days; a new one is printed at each start until an admin has a password.\n  Or from a terminal: npm run cli -- create-admin --email you@school.example --name "Your Name"\n`);
    }
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(async () => {
      for (const stop of background) await stop();
      await ctx.engine.close();
      ctx.db.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
