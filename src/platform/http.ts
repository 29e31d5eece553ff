import crypto from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { z, ZodError, type ZodType } from 'zod';
import { AppError } from './errors';
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
  const status = (err as { status?: number; type?: string }).status;
  if (status === 413) return new AppError('payload_too_large', 413, 'The request body is too large.');
  if (status === 400 && (err as { type?: string }).type === 'entity.parse.failed')
    return new AppError('bad_request', 400, 'The request body is not valid JSON.');
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
    if (renderPage && wantsHtml(req)) return renderPage(req, res, appError);
    res.status(appError.status).json({ error: { ...appError.published, code: appError.code, message: appError.message } });
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) =>
  next(new AppError('not_found', 404, 'No such page or endpoint.'));

/** Route parameter that must be a positive integer id. */
export const idParam = z.coerce.number().int().positive();
