// One error model for the whole service: code (stable, machine-readable), HTTP status, and a
// message a person can act on. The error handler turns these into { error: { code, message } }.

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** Extra fields safe to send to the client inside `error` (e.g. row-level CSV problems). */
    readonly published?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError('bad_request', 400, message, details);
export const unauthenticated = (message = 'Sign in first.') =>
  new AppError('unauthenticated', 401, message);
export const forbidden = (message = 'You do not have access to this.') =>
  new AppError('forbidden', 403, message);
export const notFound = (what: string) =>
  new AppError('not_found', 404, `No such ${what}.`);
export const conflict = (message: string) => new AppError('conflict', 409, message);
export const gone = (message: string) => new AppError('gone', 410, message);
export const payloadTooLarge = (message: string) =>
  new AppError('payload_too_large', 413, message);
export const unsupportedMediaType = (message: string) =>
  new AppError('unsupported_media_type', 415, message);
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new AppError(code, 422, message, details);
export const engineFailed = (message = 'The face engine failed; no copy was produced. Try again later.') =>
  new AppError('engine_failed', 503, message);
export const busy = (message = 'The service is busy checking other photos. Try again in a minute.') =>
  new AppError('busy', 503, message);
/** The service's own disk is full (ENOSPC, SQLITE_FULL): nothing was saved, and the person
 *  can do nothing but wait, so the message says so plainly. */
export const diskFull = () =>
  new AppError('disk_full', 507, 'Nothing was saved because the disk is full on the school’s server. Please try again later, or tell the school office.');
