import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError, badRequest, payloadTooLarge } from '../../platform/errors';
import { readUpload, strictInt } from '../../platform/http';
import { currentUser, requireUser } from '../accounts/auth.middleware';
import { presentVideo } from './videos.presenter';
import type { VideosService } from './videos.service';

export const videoForm = z.object({
  mode: z.enum(['standard', 'only_my_child']).default('standard'),
  eventId: strictInt().pipe(z.number().positive()).optional(),
});
export const videoId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'Not a video check id.');

export type VideoCtx = AppContext & { videos: VideosService };

/** Admission, then the upload streamed to a private temp folder (never into memory). The folder
 *  is deleted when the response ends unless a job took it over (res.locals.videoHandedOff). */
export function videoUpload(ctx: VideoCtx): RequestHandler[] {
  const maxBytes = ctx.config.VIDEO_MAX_MB * 1024 * 1024;
  const admit: RequestHandler = (req, res, next) => {
    const length = req.get('content-length');
    if (length === undefined) return next(new AppError('length_required', 411, 'Send the upload with a Content-Length.'));
    // The form's few fields add a few KB around the file.
    if (Number(length) > maxBytes + 64 * 1024) return next(payloadTooLarge(`Videos of up to ${ctx.config.VIDEO_MAX_MB} MB can be checked.`));
    ctx.videos.admit(currentUser(req).id);
    const dir = ctx.videos.newUploadDir();
    res.locals.videoDir = dir;
    res.on('close', () => { if (!res.locals.videoHandedOff) ctx.videos.discardUpload(dir); });
    next();
  };
  // One parser per request: its folder is this request's own.
  const toDir: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    multer({
      storage: multer.diskStorage({ destination: res.locals.videoDir as string, filename: (_r, _f, cb) => cb(null, 'upload') }),
      limits: { fileSize: maxBytes, files: 1, fields: 10 },
    }).single('video')(req, res, next);
  };
  return [requireUser, admit, readUpload(toDir)];
}

/** Hands the uploaded file to the service; the caller responds. */
export async function submitUpload(ctx: VideoCtx, req: Request, res: Response) {
  const form = videoForm.parse(req.body ?? {});
  if (!req.file) throw badRequest('Choose a video to check.');
  const job = await ctx.videos.submit(currentUser(req).id, { dir: res.locals.videoDir as string, file: req.file.path }, form);
  res.locals.videoHandedOff = true;
  return job;
}

export function videosRoutes(ctx: VideoCtx): Router {
  const r = Router();

  r.post('/videos', ...videoUpload(ctx), async (req, res) => {
    const job = await submitUpload(ctx, req, res);
    res.status(202).location(`/api/videos/${job.id}`).json(presentVideo(job, null));
  });

  r.get('/videos', requireUser, (req, res) => {
    res.json({ videos: ctx.videos.list(currentUser(req).id).map(({ job, stored }) => presentVideo(job, stored)) });
  });

  r.get('/videos/:id', requireUser, (req, res) => {
    const { job, stored } = ctx.videos.get(currentUser(req).id, videoId.parse(req.params.id));
    res.json(presentVideo(job, stored));
  });

  r.get('/videos/:id/file', requireUser, (req, res) => {
    const id = videoId.parse(req.params.id);
    const file = ctx.videos.filePath(currentUser(req).id, id);
    res.type('video/mp4');
    if (req.query.download !== undefined) res.attachment(`sharesafe-${id.slice(0, 8)}.mp4`);
    res.sendFile(file);
  });

  r.delete('/videos/:id', requireUser, (req, res) => {
    ctx.videos.remove(currentUser(req).id, videoId.parse(req.params.id));
    res.status(204).end();
  });

  return r;
}
