// Prometheus metrics (text format) at /metrics, behind METRICS_TOKEN: the face engine's queue
// depth and workers, and each photo analysis's duration and outcome. Counts and durations only:
// no ids, names or schools' pupils. Without METRICS_TOKEN the endpoint does not exist (404).
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineHealth } from '../features/faces/types';

export type AnalysisOutcome = 'completed' | 'rejected' | 'busy' | 'failed';

interface Metrics {
  registry: Registry;
  analyses: Counter<'outcome'>;
  durations: Histogram<'outcome'>;
  jobs: Gauge<'state'>;
  workers: Gauge;
  oldest: Gauge;
  /** Created at the first scrape in queue mode, so embedded mode shows no Redis at all. */
  redisUp?: Gauge;
}

let metrics: Metrics | undefined;

/** One registry per process (prom-client refuses a metric registered twice). */
export function appMetrics(): Metrics {
  if (metrics) return metrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sharesafe_' });
  const registers = [registry];
  metrics = {
    registry,
    analyses: new Counter({ name: 'sharesafe_face_analyses_total', help: 'Photo analyses by outcome (completed, rejected: bad input, busy: refused by back-pressure, failed: engine failure or deadline).', labelNames: ['outcome'], registers }),
    durations: new Histogram({
      name: 'sharesafe_face_analysis_seconds', help: 'Time from handing a photo to the face engine to its answer, queueing included.',
      labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120], registers,
    }),
    jobs: new Gauge({ name: 'sharesafe_face_queue_jobs', help: 'Photos waiting for a face worker or being analysed (queue mode: this school\'s).', labelNames: ['state'], registers }),
    workers: new Gauge({ name: 'sharesafe_face_workers', help: 'Face worker threads (embedded) or worker processes seen in the last minute (queue mode).', registers }),
    oldest: new Gauge({ name: 'sharesafe_face_queue_oldest_waiting_seconds', help: 'Age of the oldest photo waiting for a worker (queue mode; 0 when none).', registers }),
  };
  return metrics;
}

export function recordAnalysis(outcome: AnalysisOutcome, seconds: number): void {
  const m = appMetrics();
  m.analyses.inc({ outcome });
  m.durations.observe({ outcome }, seconds);
}

/** GET /metrics: 404 when no token is configured, 401 without the right bearer token. */
export function metricsRoute(token: string | undefined, health: () => Promise<EngineHealth | undefined>): RequestHandler {
  return async (req, res, next) => {
    if (!token) return next();
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.status(401).json({ error: { code: 'unauthenticated', message: 'Send the metrics token as a bearer token.' } });
      return;
    }
    const m = appMetrics();
    const h = await health();
    if (h) {
      m.jobs.set({ state: 'waiting' }, h.waiting);
      m.jobs.set({ state: 'active' }, h.active);
      m.workers.set(h.workers);
      m.oldest.set(h.oldestWaitingSeconds ?? 0);
      if (h.redis) {
        m.redisUp ??= new Gauge({ name: 'sharesafe_redis_up', help: '1 when Redis answers (queue mode), 0 when not.', registers: [m.registry] });
        m.redisUp.set(h.redis === 'up' ? 1 : 0);
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(m.registry.contentType).send(await m.registry.metrics());
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
