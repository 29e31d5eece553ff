import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import type { AppContext } from './context';
import { accountsRoutes } from './features/accounts/accounts.routes';
import { authenticate, csrfProtect } from './features/accounts/auth.middleware';
import { errorHandler, notFoundHandler, requestId } from './platform/http';

/** Builds the Express app; never listens (tests drive it with supertest). */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
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
  app.use(authenticate(ctx.accounts));
  app.use(csrfProtect);

  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', engine: ctx.engine.backend, workers: ctx.engine.workers });
  });

  const api = express.Router();
  api.use(accountsRoutes(ctx));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));
  return app;
}
