import type { RequestHandler } from 'express';
import { AppError, busy, payloadTooLarge } from '../../platform/errors';

export interface AdmissionLimits {
  /** Check requests in progress across everyone. */
  total: number;
  /** ...and per signed-in user, so one parent cannot hold every slot (the check page sends two
   *  photos at a time). */
  perUser: number;
  /** Declared body size of one check request; larger ones are refused before a byte is read. */
  maxBytes: number;
}

/** Bounds the checks in progress (uploads held in memory, decodes, safe copies) across the API
 *  and the pages. It runs before multer, so a refused request never has its photos buffered. */
export function checkAdmission(limits: AdmissionLimits): RequestHandler {
  let inFlight = 0;
  const perUser = new Map<number, number>();
  return (req, res, next) => {
    // Browsers and curl always declare the length of a form upload; without it the total cannot
    // be bounded before reading.
    const length = req.get('content-length');
    if (length === undefined) return next(new AppError('length_required', 411, 'Send the upload with a Content-Length.'));
    if (Number(length) > limits.maxBytes) {
      return next(payloadTooLarge(`One check can carry at most ${Math.floor(limits.maxBytes / 1024 / 1024)} MB of photos; send fewer at a time.`));
    }
    const userId = req.auth?.user.id ?? 0;
    const mine = perUser.get(userId) ?? 0;
    if (inFlight >= limits.total) return next(busy());
    if (mine >= limits.perUser) return next(busy('You already have photos being checked. Wait for them to finish, then try again.'));
    inFlight += 1;
    perUser.set(userId, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
}
