import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppContext } from '../../context';
import { AppError, notFound } from '../../platform/errors';
import { confirmed, confirmPage } from './confirm';
import { idParam, readUpload } from '../../platform/http';
import { renderPupilPage } from './pupil-page';
import { adminOnly, plural, redirectWithFlash } from './shared';

/** Reference photos from the pupil page: upload (checked before anything is stored), view, remove. */
export function referencePages(ctx: AppContext): Router {
  const { register } = ctx;
  const r = Router();
  // Memory storage, as the API: the photo is analysed and dropped, never written to disk.
  const upload = readUpload(multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.config.MAX_UPLOAD_MB * 1024 * 1024, files: 1 } })
    .single('photo'));
  const pupilId = (req: Request) => idParam.parse(req.params.id);

  /** A refusal from the service (its message says what to do differently) re-renders the page. */
  const rejected = (req: Request, res: Response, err: unknown) => {
    const message = err instanceof AppError ? err.message
      : err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE' ? `That file is larger than ${ctx.config.MAX_UPLOAD_MB} MB.`
        : err instanceof multer.MulterError ? `The upload was refused: ${err.message}.` : null;
    if (message === null) throw err;
    const status = err instanceof AppError ? err.status : 400;
    renderPupilPage(ctx, req, res, pupilId(req), { referenceRejection: message }, status);
  };

  r.post('/office/pupils/:id/references', adminOnly,
    // Refuse before reading a large upload when the answer is already "no".
    (req, res, next) => {
      try {
        register.assertCanEnrol(pupilId(req));
      } catch (err) {
        return rejected(req, res, err);
      }
      upload(req, res, (err: unknown) => {
        if (!err) return next();
        try {
          rejected(req, res, err);
        } catch (unexpected) {
          next(unexpected);
        }
      });
    },
    async (req, res) => {
      const id = pupilId(req);
      if (!req.file || req.file.size === 0) return rejected(req, res, new AppError('bad_request', 400, 'Choose a photo to upload first.'));
      try {
        await register.enrolReference(id, req.file.buffer, req.auth!.user.id);
      } catch (err) {
        return rejected(req, res, err);
      }
      const count = register.pupilDetail(id).references.length;
      redirectWithFlash(res, `/office/pupils/${id}#references`,
        `Photo accepted: one clear face was found and stored as a reference. This pupil now has ${plural(count, 'reference photo')}.`);
    });

  // Served by a page route so the <img> works with the page's session; each view is audited.
  r.get('/office/pupils/:id/references/:refId/thumbnail', adminOnly, (req, res) => {
    const jpeg = register.referenceThumbnail(pupilId(req), idParam.parse(req.params.refId), req.auth!.user.id);
    res.set('Cache-Control', 'no-store').type('image/jpeg').send(jpeg);
  });

  r.post('/office/pupils/:id/references/:refId/remove', adminOnly, (req, res) => {
    const id = pupilId(req);
    const refId = idParam.parse(req.params.refId);
    if (!confirmed(req)) {
      const pupil = register.pupilDetail(id);
      if (!pupil.references.some((ref) => ref.id === refId)) throw notFound('reference photo');
      return confirmPage(req, res, {
        title: 'Remove this reference photo?', confirmLabel: 'Yes, remove it', cancelHref: `/office/pupils/${id}#references`, danger: true,
        message: `The face measurement and thumbnail from this photo of ${pupil.pupil.firstName} are deleted for good. ShareSafe recognises ${pupil.pupil.firstName} only from the reference photos left${pupil.references.length === 1 ? ': with none left, every photo blurs their face' : ''}.`,
      });
    }
    register.deleteReference(id, refId, req.auth!.user.id);
    redirectWithFlash(res, `/office/pupils/${id}#references`, 'Reference photo deleted.');
  });

  return r;
}
