import { Router } from 'express';
import type { AppContext } from '../../context';
import { requireRole } from '../accounts/auth.middleware';
import { auditQuery } from './audit.schemas';

/** The audit trail, newest first; page with ?beforeId= the last id seen. Admin only. */
export function auditRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/audit', requireRole('admin'), (req, res) => {
    const filter = auditQuery.parse(req.query);
    const entries = ctx.audit.list(filter);
    const nextBeforeId = entries.length === filter.limit ? entries[entries.length - 1]!.id : null;
    res.json({ entries, nextBeforeId });
  });
  return r;
}
