import { Router } from 'express';
import type { AppContext } from '../../context';
import { auditPage } from './audit';
import { consentReviewPages } from './consent-reviews';
import { dashboardPage } from './dashboard';
import { erasurePages } from './erasure';
import { eventPages } from './events-pages';
import { importPages } from './import';
import { parentPages } from './parents';
import { pupilRoutes } from './pupil-routes';
import { pupilsPages } from './pupils';
import { referencePages } from './references';
import { staffPages } from './staff';

/** The school office's pages under /office. The register (pupils, parents, import, audit, staff)
 *  is the office's (admin); organisers get their own dashboard and their events, where they see
 *  participants' names, classes and consent state, never parents' e-mails, notes or histories. */
export function officePages(ctx: AppContext): Router {
  const r = Router();
  r.use(dashboardPage(ctx));
  r.use(consentReviewPages(ctx));
  r.use(pupilsPages(ctx)); // before pupilRoutes: /office/pupils/new is not a pupil id
  r.use(erasurePages(ctx));
  r.use(pupilRoutes(ctx));
  r.use(referencePages(ctx));
  r.use(importPages(ctx));
  r.use(parentPages(ctx));
  r.use(eventPages(ctx));
  r.use(auditPage(ctx));
  r.use(staffPages(ctx));
  return r;
}
