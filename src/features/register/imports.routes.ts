import { Router } from 'express';
import multer from 'multer';
import type { AppContext } from '../../context';
import { badRequest } from '../../platform/errors';
import { readUpload } from '../../platform/http';
import { currentUser, requireRole } from '../accounts/auth.middleware';
import { importQuery } from './register.schemas';

const CSV_MAX_MB = 5;

/** The MIS import: POST a CSV export; ?dryRun=true previews without writing. */
export function importsRoutes(ctx: AppContext): Router {
  const r = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: Math.min(ctx.config.MAX_UPLOAD_MB, CSV_MAX_MB) * 1024 * 1024, files: 1 },
  });

  r.post('/imports/pupils', requireRole('admin'), readUpload(upload.single('file')), (req, res) => {
    const { dryRun } = importQuery.parse(req.query);
    if (!req.file) throw badRequest('Attach the CSV as the multipart field "file".');
    const result = ctx.register.importCsv(req.file.buffer, { dryRun, actorId: currentUser(req).id });
    res.status(dryRun ? 200 : 201).json(result);
  });

  return r;
}
