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
    // X-Forwarded-For from an untrusted client is expected (and ignored): no warning for it.
    validate: { xForwardedForHeader: false },
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${email}`;
    },
    handler: (_req, _res, next) =>
      next(new AppError('too_many_attempts', 429, 'Too many attempts. Wait 15 minutes and try again, or reset your password.')),
  });
}

/** Slows password spraying (one password tried against many accounts): failed attempts per
 *  client address, whatever the account. Generous, since a school's parents may share one
 *  public address; counts only failures. */
export function addressLimiter(opts: { limit: number; windowMinutes?: number }): RequestHandler {
  return rateLimit({
    windowMs: (opts.windowMinutes ?? 15) * 60_000,
    limit: opts.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    validate: { xForwardedForHeader: false },
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: (_req, _res, next) =>
      next(new AppError('too_many_attempts', 429, 'Too many sign-in attempts from your network. Wait 15 minutes and try again.')),
  });
}
