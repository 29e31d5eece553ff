// A face worker process (npm run worker; `node dist/src/worker-main.js` in the Dockerfile's
// worker target): stateless, on any machine that reaches REDIS_URL. Loads the models once (the
// same in-process engine a single school runs: FACE_WORKERS threads, FACE_DETECTOR), then takes
// photo jobs from every school's queue in turn. Start and stop it at any time: SIGTERM finishes
// the photos in hand (or gives them back to the queue) and leaves.
import { parseConfig, type Config } from './config';
import { createFaceEngine } from './features/faces';
import { toWire } from './features/faces/analysis-wire';
import { createLogger } from './platform/logger';
import { installProcessGuard } from './platform/process-guard';
import { JobWorker } from './platform/queue/job-worker';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
    if (!config.REDIS_URL) throw new Error('Invalid configuration:\n  REDIS_URL: a worker needs the Redis its schools use (redis://host:6379).');
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  installProcessGuard(logger);
  // QUEUE_PREFETCH photos held beyond the face threads (default 0): while the threads work, the
  // next photo is fetched and decoded. On this 2-core machine it bought +3.7% at 12 MP and
  // nothing measurable at 1920 px (docs/performance.md), while a school that starts sending during
  // another's burst waits for one more photo per worker, so it is off unless a deployment with
  // spare cores per worker turns it on. A held photo that no thread takes before its deadline
  // nears is given up as busy (JobWorker, startBy).
  const engine = await createFaceEngine({ workers: config.FACE_WORKERS, cores: config.FACE_CORES, detector: config.FACE_DETECTOR, maxQueue: config.FACE_WORKERS + config.QUEUE_PREFETCH, maxPixels: config.MAX_IMAGE_MEGAPIXELS * 1_000_000, logger });
  const worker = await JobWorker.start({
    redisUrl: config.REDIS_URL,
    concurrency: config.FACE_WORKERS,
    prefetch: config.QUEUE_PREFETCH,
    lockMs: config.QUEUE_LOCK_SECONDS * 1000,
    info: { backend: engine.backend, detector: engine.detector, describer: engine.describer, threads: engine.workers },
    logger,
    handlers: { photo: async (photo, job) => toWire(await engine.analyse(photo, { ...job.options, signal: job.signal })) },
    onOutcome: (outcome, kind, seconds) => logger.info({ kind, outcome, ms: Math.round(seconds * 1000) }, 'job done'),
  });
  logger.info({ worker: worker.id, backend: engine.backend, detector: engine.detector, threads: engine.workers }, 'face worker ready');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'face worker stopping');
    void (async () => {
      await worker.stop();
      await engine.close();
      process.exit(0);
    })();
    setTimeout(() => process.exit(1), 40_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
