import type { Request, RequestHandler } from 'express';
import type { Role } from '../features/accounts/accounts.repo';
import { forbidden } from '../platform/errors';

/** Where to send someone who must sign in first, coming back here afterwards. */
export const loginRedirect = (req: Request): string =>
  `/login?next=${encodeURIComponent(req.method === 'GET' ? req.originalUrl : '/')}`;

/** Pages: signed-out visitors go to the sign-in page (not a JSON 401). */
export const requirePageUser: RequestHandler = (req, res, next) => {
  if (!req.auth) return res.redirect(303, loginRedirect(req));
  next();
};

/** Pages: signed-out visitors go to sign-in; signed-in people without the role get a 403 page. */
export function requirePageRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.auth) return res.redirect(303, loginRedirect(req));
    next(roles.includes(req.auth.user.role) ? undefined : forbidden());
  };
}

/** A `next` target that stays on this site (a path, never `//host` or a full URL). */
export function safeNext(value: unknown, fallback: string): string {
  const s = typeof value === 'string' ? value : '';
  return /^\/(?![/\\])[^\s]*$/.test(s) ? s : fallback;
}
