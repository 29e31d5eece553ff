import crypto from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { AppError, forbidden, unauthenticated } from '../../platform/errors';
import { multipartBoundary, peekCsrfField } from '../../platform/multipart-peek';
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

// Sign-in, invitation and password-reset forms act on a secret in the request, not on the
// session's authority, so a stale session cookie must not block them (the origin check below
// still applies to them: a cross-site sign-in would log the victim in as the attacker).
const CSRF_EXEMPT = /^\/(api\/)?(auth\/login|auth\/password-reset|auth\/email-change\/|invitations?\/|login|invite\/|reset-password|confirm-email\/)/;

const csrfFailed = () => new AppError('csrf_failed', 403, 'This form has expired. Reload the page and try again.');

/** True when a browser says the request comes from another site: Sec-Fetch-Site (all current
 *  browsers), else Origin. Neither header: not a browser, or a very old one; the token decides. */
function fromAnotherSite(req: Request, publicOrigin: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (origin === undefined) return false;
  return origin !== publicOrigin && origin !== `${req.protocol}://${req.get('host') ?? ''}`;
}

/** Unsafe requests: from another site, refused (sign-in included); cookie-authenticated, they
 *  must also carry the session's CSRF token in the X-CSRF-Token header, a urlencoded/JSON `_csrf`
 *  field, or (multipart) a `_csrf` FIRST field. Never in the query string: URLs leak into logs,
 *  history and Referer. API tokens are exempt (a browser never sends them on its own). */
export function csrfProtect(publicUrl: string): RequestHandler {
  const publicOrigin = new URL(publicUrl).origin;
  return async (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || req.auth?.via === 'token') return next();
    if (fromAnotherSite(req, publicOrigin)) return next(csrfFailed());
    if (req.auth?.via !== 'session' || CSRF_EXEMPT.test(req.path)) return next();
    let sent = req.get('x-csrf-token') ?? (req.body as Record<string, unknown> | undefined)?._csrf;
    const boundary = sent === undefined ? multipartBoundary(req.get('content-type')) : null;
    if (boundary) sent = await peekCsrfField(req, boundary);
    next(tokenMatches(String(sent ?? ''), req.auth.csrfToken ?? '') ? undefined : csrfFailed());
  };
}

/** Constant-time, on bytes: timingSafeEqual throws on unequal lengths, and a non-ASCII character
 *  makes a token of the right string length longer in bytes. */
function tokenMatches(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && crypto.timingSafeEqual(a, b);
}

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
