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

/** Slows guessing one account's password from many addresses (a botnet): failed sign-ins per
 *  account, whatever the address. Counted on the e-mail as typed, so unknown addresses count too. */
export function accountLimiter(opts: { limit?: number; windowMinutes?: number } = {}): RequestHandler {
  return rateLimit({
    windowMs: (opts.windowMinutes ?? 15) * 60_000,
    limit: opts.limit ?? 20,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    validate: { xForwardedForHeader: false },
    keyGenerator: (req) => `account|${typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : ''}`,
    handler: (_req, _res, next) =>
      next(new AppError('too_many_attempts', 429, 'Too many attempts for this account. Wait 15 minutes and try again, or reset your password.')),
  });
}

/** Password-reset requests answer the same whether or not the account exists, so every request
 *  counts (not only failures): per address and, separately, per e-mail address asked about. */
export function resetLimiters(opts: { perAddress?: number; perEmail?: number; windowMinutes?: number } = {}): RequestHandler[] {
  const common = {
    windowMs: (opts.windowMinutes ?? 60) * 60_000,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    validate: { xForwardedForHeader: false },
    handler: (_req: unknown, _res: unknown, next: (err: unknown) => void) =>
      next(new AppError('too_many_attempts', 429, 'Too many password-reset requests. Wait an hour and try again, or ask the school office.')),
  };
  return [
    rateLimit({ ...common, limit: opts.perAddress ?? 20, keyGenerator: (req) => `reset-ip|${ipKeyGenerator(req.ip ?? '')}` }),
    rateLimit({ ...common, limit: opts.perEmail ?? 5,
      keyGenerator: (req) => `reset-email|${typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : ''}` }),
  ];
}
