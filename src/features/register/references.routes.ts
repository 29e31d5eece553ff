import { Router } from 'express';
import multer from 'multer';
import type { AppContext } from '../../context';
import { badRequest } from '../../platform/errors';
import { idParam, readUpload } from '../../platform/http';
import { currentUser, requireRole } from '../accounts/auth.middleware';
import { presentReference } from './register.presenter';

/** Reference photos: admin only, and only while biometric consent holds. */
export function referencesRoutes(ctx: AppContext): Router {
  const { register } = ctx;
  const r = Router();
  const admin = requireRole('admin');
  // Memory storage: the original photo is analysed and dropped, never written anywhere.
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.config.MAX_UPLOAD_MB * 1024 * 1024, files: 1 } });

  r.post('/pupils/:id/references', admin,
    // Refuse before reading a large upload when the answer is already "no".
    (req, _res, next) => {
      register.assertCanEnrol(idParam.parse(req.params.id));
      next();
    },
    readUpload(upload.single('photo')),
    async (req, res) => {
      if (!req.file) throw badRequest('Attach the photo as the multipart field "photo".');
      const ref = await register.enrolReference(idParam.parse(req.params.id), req.file.buffer, currentUser(req).id);
      res.status(201).json({ reference: presentReference(ref) });
    });

  r.get('/pupils/:id/references/:refId/thumbnail', admin, (req, res) => {
    const jpeg = register.referenceThumbnail(idParam.parse(req.params.id), idParam.parse(req.params.refId), currentUser(req).id);
    res.set('Cache-Control', 'no-store').type('image/jpeg').send(jpeg);
  });

  r.delete('/pupils/:id/references/:refId', admin, (req, res) => {
    register.deleteReference(idParam.parse(req.params.id), idParam.parse(req.params.refId), currentUser(req).id);
    res.status(204).end();
  });

  return r;
}
