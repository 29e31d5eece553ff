import { Router } from 'express';
import type { AppContext } from '../context';
import { accountPages } from './account-pages';
import { checkPages } from './check-pages';
import { consentPages } from './consent-pages';
import { myAccountPages } from './my-account-pages';
import { videoPages } from './video-pages';
import { officePages } from './office';

/** All server-rendered pages: sign-in and accounts, the parents' photo check, the school office. */
export function webPages(ctx: AppContext): Router {
  const r = Router();
  // The layout reads the school's name from the app, so every page (and error page) shows it.
  r.use((req, _res, next) => {
    req.app.locals.schoolName ??= ctx.config.SCHOOL_NAME;
    next();
  });
  r.use(accountPages(ctx));
  r.use(myAccountPages(ctx));
  r.use(checkPages(ctx));
  r.use(videoPages(ctx));
  r.use(consentPages(ctx));
  r.use(officePages(ctx));
  return r;
}
