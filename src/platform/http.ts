import crypto from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { z, ZodError, type ZodType } from 'zod';
import { AppError, diskFull } from './errors';
import type { Logger } from './logger';

/** Parses with a zod schema; a failure becomes a 400 listing every problem. */
export function parse<T extends ZodType>(schema: T, value: unknown): z.output<T> {
  return schema.parse(value);
}

export const requestId: RequestHandler = (req, res, next) => {
  const id = crypto.randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

function describeZod(err: ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new AppError('validation_failed', 400, describeZod(err), err.issues);
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new AppError('payload_too_large', 413, 'That file is too large.');
    if (err.code === 'LIMIT_FILE_COUNT') return new AppError('payload_too_large', 413, 'Too many files in one upload.');
    return new AppError('bad_upload', 400, `Upload rejected: ${err.message}.`);
  }
  const { status, type, code } = err as { status?: number; type?: string; code?: string };
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return diskFull();
  if (status === 413) return new AppError('payload_too_large', 413, 'The request body is too large.');
  if (status === 400 && type === 'entity.parse.failed')
    return new AppError('bad_request', 400, 'The request body is not valid JSON.');
  // body-parser's own refusals: Content-Encoding or charset it cannot read.
  if (status === 415 && type === 'encoding.unsupported')
    return new AppError('unsupported_media_type', 415, 'The request body uses a Content-Encoding this service does not accept.');
  if (status === 415 && type === 'charset.unsupported')
    return new AppError('unsupported_media_type', 415, 'The request body uses a character set this service does not accept; send UTF-8.');
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose)
    return new AppError('bad_request', status, 'The request could not be read.');
  return null;
}

/** Wants an HTML page rather than JSON (a browser navigating, not fetch or a script). */
export const wantsHtml = (req: Request): boolean =>
  !req.originalUrl.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');

export type PageErrorRenderer = (req: Request, res: Response, err: AppError) => void;

/** The single exit point for errors: JSON for the API, a page for browsers. */
export function errorHandler(logger: Logger, renderPage?: PageErrorRenderer): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let appError = toAppError(err);
    if (!appError) {
      logger.error({ err, requestId: res.locals.requestId, path: req.path }, 'unhandled error');
      appError = new AppError('internal', 500, 'Something went wrong on our side. Please try again.');
    } else if (appError.status >= 500) {
      logger.warn({ code: appError.code, requestId: res.locals.requestId, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    if (appError.code === 'busy') res.setHeader('Retry-After', '30');
    if (renderPage && wantsHtml(req)) return renderPage(req, res, appError);
    res.status(appError.status).json({ error: { ...appError.published, code: appError.code, message: appError.message } });
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) =>
  next(new AppError('not_found', 404, 'No such page or endpoint.'));

/** Route parameter that must be a positive integer id. */
export const idParam = z.union([z.number(), z.string().regex(/^[0-9]{1,15}$/, 'Expected a whole number.')])
  .transform(Number).pipe(z.number().int().positive());

/** A whole number from a query string, form field or route parameter: digits only, so `0x1`,
 *  `1e0`, ` 1` and `1.0` are refused (z.coerce.number() would take each of them as 1). */
export const strictInt = (message = 'Expected a whole number.') =>
  z.union([z.number(), z.string().regex(/^-?[0-9]{1,15}$/, message)], { message }).transform(Number).pipe(z.number().int(message));

/** API answers and signed-in pages hold personal data: no browser or proxy may keep a copy. */
export const noStoreForPersonalData: RequestHandler = (req, res, next) => {
  if (req.path.startsWith('/api/') || req.auth) res.setHeader('Cache-Control', 'no-store');
  next();
};

/** TRUST_PROXY -> Express's 'trust proxy': '' or 'none' trusts nobody (X-Forwarded-For is
 *  ignored), a number trusts that many hops, anything else is a list of addresses or subnets. */
export function trustProxySetting(value: string): boolean | number | string[] {
  const v = value.trim();
  if (v === '' || v === 'none' || v === 'false') return false;
  if (/^[0-9]+$/.test(v)) return Number(v);
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

/** Runs a multer middleware and turns what the multipart parser throws on a malformed body (a
 *  NUL or stray quote in a part header, a wrong or missing boundary, no closing boundary, a
 *  client that hung up half-way) into a 400, instead of an unknown error and a 500. */
export function readUpload(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    parser(req, res, (err?: unknown) => {
      if (!err || err instanceof AppError || err instanceof multer.MulterError) return next(err as Error | undefined);
      if (req.destroyed || req.socket?.destroyed) {
        // The client left mid-upload: nobody is waiting for an answer, and it is not our fault.
        return next(new AppError('client_closed', 400, 'The upload was interrupted before it finished.'));
      }
      next(new AppError('bad_upload', 400, 'The upload could not be read: it is not a well-formed multipart form.'));
    });
  };
}
