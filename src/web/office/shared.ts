import type { Request, Response } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../../platform/errors';
import { html, type SafeHtml } from '../html';
import { layout } from '../layout';
import { requirePageRole } from '../auth-pages';
import type { PhotoConsentState } from '../../features/register/consent-rules';

// What every office page shares: who may see and change things, flash messages across a
// redirect, form state for re-rendering, dates and badges.

/** Staff read the register (organisers too); only the school office (admin) changes it, as in the API. */
export const staffOnly = requirePageRole('admin', 'organiser');
export const adminOnly = requirePageRole('admin');

export const isAdmin = (req: Request): boolean => req.auth?.user.role === 'admin';

const FLASH_COOKIE = 'ss_office_flash';

/** Post/Redirect/Get: the message rides in a short-lived cookie to the next page the browser loads. */
export function redirectWithFlash(res: Response, to: string, message: string): void {
  // It can carry a pupil's name, so it is Secure whenever the session cookie is (createApp sets it).
  res.cookie(FLASH_COOKIE, message, { httpOnly: true, sameSite: 'lax', secure: res.app.get('secure cookies') === true, path: '/office', maxAge: 60_000 });
  res.redirect(303, to);
}

function takeFlash(req: Request, res: Response): string | undefined {
  const message = (req.cookies as Record<string, string> | undefined)?.[FLASH_COOKIE];
  if (message === undefined) return undefined;
  res.clearCookie(FLASH_COOKIE, { path: '/office' });
  return message.slice(0, 300);
}

export function sendPage(req: Request, res: Response, page: { title: string; body: SafeHtml; status?: number; wide?: boolean }): void {
  const flash = takeFlash(req, res);
  res.status(page.status ?? 200).type('html').set('Cache-Control', 'no-store')
    .send(layout(req, { title: page.title, body: page.body, flash, wide: page.wide, assets: ['office'] }));
}

/** A form's entered values and its problems by field ('' for the whole form). */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** The submitted fields as strings (checkboxes and repeated fields keep the first value). */
export function formValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (k === '_csrf') continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** A form state for a refused submission: zod issues by field, a service error for the whole form. */
export function failedForm(values: Record<string, string>, err: unknown): FormState {
  if (err instanceof ZodError) {
    const errors: Record<string, string> = {};
    for (const issue of err.issues) {
      const key = String(issue.path[0] ?? '');
      errors[key] ??= issue.message;
    }
    return { values, errors };
  }
  if (err instanceof AppError && err.status < 500 && err.status !== 403 && err.status !== 401) {
    return { values, errors: { '': err.message } };
  }
  throw err;
}

/** "2 March 2026" and "2 March 2026, 14:05": the one date helper (web/html.ts). */
export { formatDate, formatDateTime } from '../html';

const PHOTO_BADGES: Record<PhotoConsentState, [string, string]> = {
  granted: ['badge-ok', 'Granted'],
  refused: ['badge-bad', 'Refused'],
  not_asked: ['badge-warn', 'Not asked'],
  expired: ['badge-bad', 'Expired'],
};

export function photoBadge(state: PhotoConsentState): SafeHtml {
  const [cls, label] = PHOTO_BADGES[state];
  return html`<span class="badge ${cls}">${label}</span>`;
}

export const biometricBadge = (holds: boolean): SafeHtml =>
  holds ? html`<span class="badge badge-ok">Consent holds</span>` : html`<span class="badge badge-warn">No consent</span>`;

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const pupilName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;
