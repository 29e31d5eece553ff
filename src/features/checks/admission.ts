import type { RequestHandler } from 'express';
import { busy } from '../../platform/errors';

/** Bounds the checks in progress (uploads held in memory, decodes, safe copies) across the API
 *  and the pages. It runs before multer, so a refused request never has its photos buffered. */
export function checkAdmission(maxInFlight: number): RequestHandler {
  let inFlight = 0;
  return (_req, res, next) => {
    if (inFlight >= maxInFlight) return next(busy());
    inFlight += 1;
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        inFlight -= 1;
      }
    };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
}
