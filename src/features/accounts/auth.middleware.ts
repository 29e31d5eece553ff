import crypto from 'node:crypto';
import type { CookieOptions, RequestHandler, Response } from 'express';
import { AppError, forbidden, unauthenticated } from '../../platform/errors';
import type { Role, User } from './accounts.repo';
import type { AccountsService } from './accounts.service';

export interface RequestAuth {
  user: User;
  via: 'session' | 'token';
  /** Present for cookie sessions: unsafe requests must echo it (header or form field). */
  csrfToken?: string;
  sessionToken?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: RequestAuth;
    }
  }
}

export const SESSION_COOKIE = 'ss_session';

export function sessionCookieOptions(secure: boolean, days: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: days * 24 * 60 * 60 * 1000 };
}

export function setSessionCookie(res: Response, token: string, secure: boolean, days: number) {
  res.cookie(SESSION_COOKIE, token, sessionCookieOptions(secure, days));
}

/** Identifies the caller from a session cookie or an `Authorization: Bearer ss_...` API token. */
export function authenticate(accounts: AccountsService): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const user = accounts.authenticateApiToken(header.slice('Bearer '.length).trim());
      if (!user) return next(new AppError('invalid_token', 401, 'That API token is not valid.'));
      req.auth = { user, via: 'token' };
      return next();
    }
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (cookie) {
      const s = accounts.authenticateSession(cookie);
      if (s) req.auth = { user: s.user, via: 'session', csrfToken: s.csrfToken, sessionToken: cookie };
    }
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie-authenticated unsafe requests must carry the session's CSRF token. API tokens are exempt
 *  (a browser never sends them on its own). */
// Sign-in, invitation and password-reset forms act on a secret in the request, not on the
// session's authority, so a stale session cookie must not block them.
const CSRF_EXEMPT = /^\/(api\/)?(auth\/login|auth\/password-reset|invitations?\/|login|invite\/|reset-password)/;

export const csrfProtect: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method) || req.auth?.via !== 'session' || CSRF_EXEMPT.test(req.path)) return next();
  const sent = Buffer.from(String(req.get('x-csrf-token') ?? (req.body as Record<string, unknown> | undefined)?._csrf ?? req.query._csrf ?? ''));
  const expected = Buffer.from(req.auth.csrfToken ?? '');
  // Compare byte lengths, not string lengths: timingSafeEqual throws on unequal buffers, and a
  // non-ASCII character makes a token of the right length longer in bytes.
  const ok = expected.length > 0 && sent.length === expected.length && crypto.timingSafeEqual(sent, expected);
  next(ok ? undefined : new AppError('csrf_failed', 403, 'This form has expired. Reload the page and try again.'));
};

export const requireUser: RequestHandler = (req, _res, next) => next(req.auth ? undefined : unauthenticated());

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return next(unauthenticated());
    next(roles.includes(req.auth.user.role) ? undefined : forbidden());
  };
}

/** The signed-in user; only call behind requireUser/requireRole. */
export function currentUser(req: Express.Request): User {
  if (!req.auth) throw unauthenticated();
  return req.auth.user;
}

export const isStaff = (u: User) => u.role === 'admin' || u.role === 'organiser';
