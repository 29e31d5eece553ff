import path from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import type { AppContext } from './context';
import { accountsRoutes } from './features/accounts/accounts.routes';
import { authenticate, csrfProtect } from './features/accounts/auth.middleware';
import { auditRoutes } from './features/audit/audit.routes';
import { importsRoutes } from './features/register/imports.routes';
import { referencesRoutes } from './features/register/references.routes';
import { registerRoutes } from './features/register/register.routes';
import { checksRoutes } from './features/checks/checks.routes';
import { videosRoutes } from './features/videos/videos.routes';
import { eventsPages } from './features/events/events.pages';
import { eventsRoutes } from './features/events/events.routes';
import { openApiDocument } from './openapi';
import { metricsRoute } from './platform/metrics';
import { accountLimiter, addressLimiter, resetLimiters, signInLimiter } from './platform/rate-limit';
import { errorHandler, noStoreForPersonalData, notFoundHandler, requestId, trustProxySetting } from './platform/http';
import { srcDir } from './platform/paths';
import { pageErrorRenderer } from './web/error-page';
import { webPages } from './web/pages';

/** Every /api route (mounted under /api); exported so a test can hold it against the OpenAPI
 *  document. */
export function apiRouter(ctx: AppContext): express.Router {
  const api = express.Router();
  api.use(accountsRoutes(ctx));
  api.use(registerRoutes(ctx));
  api.use(referencesRoutes(ctx));
  api.use(importsRoutes(ctx));
  api.use(auditRoutes(ctx));
  api.use(checksRoutes(ctx));
  api.use(videosRoutes(ctx));
  api.use(eventsRoutes(ctx));
  return api;
}

/** Builds the Express app; never listens (tests drive it with supertest). */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxy named in TRUST_PROXY (default: nobody).
  app.set('trust proxy', trustProxySetting(ctx.config.TRUST_PROXY));
  app.set('secure cookies', ctx.config.SECURE_COOKIES);
  app.use(requestId);
  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  }));
  app.use(express.json({ limit: '200kb' }));
  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  app.use(cookieParser());
  // Before authenticate: its bearer token is the metrics token, not an API token.
  app.get('/metrics', metricsRoute(ctx.config.METRICS_TOKEN, async () => ctx.engine.health?.()));
  app.post(['/api/auth/login', '/login'], signInLimiter(), addressLimiter({ limit: ctx.config.SIGN_IN_ATTEMPTS_PER_ADDRESS }), accountLimiter());
  app.post(['/api/auth/password-reset', '/forgot-password'], ...resetLimiters());
  app.use(authenticate(ctx.accounts));
  app.use(csrfProtect(ctx.config.publicUrl));
  app.use(noStoreForPersonalData);

  app.get('/api/health', async (_req, res) => {
    // 200 either way: the register and the office keep working without the engine, so a load
    // balancer must not take the service away; the body says what is wrong.
    const health = await ctx.engine.health?.();
    const problem = ctx.engine.problem;
    res.json({
      status: problem ? 'degraded' : 'ok', ...(problem ? { reason: `face engine unavailable: ${problem}` } : {}), engine: ctx.engine.backend, workers: ctx.engine.workers,
      // Queue mode: this school's backlog, the worker processes seen in the last minute, the oldest waiting photo.
      ...(health?.mode === 'queue' ? { queue: { school: health.school, redis: health.redis, waiting: health.waiting, active: health.active, oldestWaitingSeconds: health.oldestWaitingSeconds, workersSeen: health.workers } } : {}),
    });
  });

  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(ctx.config.publicUrl));
  });

  app.use('/api', apiRouter(ctx));

  app.use('/static', express.static(path.join(srcDir, 'web', 'static'), { index: false, maxAge: '1h' }));
  app.use(eventsPages(ctx));
  app.use(webPages(ctx));

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger, pageErrorRenderer(ctx)));
  return app;
}
