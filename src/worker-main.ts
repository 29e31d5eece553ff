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

/** Photos a worker process holds beyond its face threads (fetched and decoded, waiting). */
const PREFETCH = 1;

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
  // One photo more than face threads: while the threads work, the next photo is fetched and
  // decoded, so a thread does not sit idle between photos (docs/performance.md). A held photo
  // that no thread takes before its deadline nears is given up as busy (JobWorker, startBy). The
  // cost to fairness: a school that starts sending while another's burst runs waits for up to
  // one more photo per worker, never for the burst (tests/queue/queue-engine.test.ts).
  const engine = await createFaceEngine({ workers: config.FACE_WORKERS, cores: config.FACE_CORES, detector: config.FACE_DETECTOR, maxQueue: config.FACE_WORKERS + PREFETCH, maxPixels: config.MAX_IMAGE_MEGAPIXELS * 1_000_000, logger });
  const worker = await JobWorker.start({
    redisUrl: config.REDIS_URL,
    concurrency: config.FACE_WORKERS,
    prefetch: PREFETCH,
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
