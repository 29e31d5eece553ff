import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from './errors';

/** Slows password guessing: per client address and account, failed or not. In-memory, which is
 *  right for the single process ShareSafe runs as. */
export function signInLimiter(opts: { limit?: number; windowMinutes?: number } = {}): RequestHandler {
  return rateLimit({
    windowMs: (opts.windowMinutes ?? 15) * 60_000,
    limit: opts.limit ?? 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${email}`;
    },
    handler: (_req, _res, next) =>
      next(new AppError('too_many_attempts', 429, 'Too many attempts. Wait 15 minutes and try again, or reset your password.')),
  });
}
