import archiver from 'archiver';
import { Router, type Response } from 'express';
import type { Logger } from '../../platform/logger';
import multer from 'multer';
import { z } from 'zod';
import { readUpload, strictInt } from '../../platform/http';
import type { AppContext } from '../../context';
import { currentUser, requireUser } from '../accounts/auth.middleware';
import sharp from 'sharp';
import { presentCheck } from './checks.presenter';
import { MAX_MASKS_PER_PHOTO } from './review.service';
import type { ChecksService } from './checks.service';

const checkBody = z.object({
  mode: z.enum(['standard', 'only_my_child']).default('standard'),
  eventId: strictInt().pipe(z.number().positive()).optional(),
});
const checkId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'Not a check id.');
const photoIndex = strictInt().pipe(z.number().min(0).max(1000));
export const maskBody = z.object({
  style: z.enum(['pixelate', 'solid', 'sticker']).default('pixelate'),
  masks: z.array(z.object({
    shape: z.enum(['rect', 'ellipse']).default('rect'),
    x: z.number().finite(), y: z.number().finite(),
    width: z.number().finite().positive(), height: z.number().finite().positive(),
  })).min(1, 'Draw at least one blur.').max(MAX_MASKS_PER_PHOTO),
});
export const revealBody = z.object({ confirm: z.literal(true, 'Confirm that this place is not a person.') });
const faceIndex = strictInt().pipe(z.number().min(0).max(10_000));
/** Thumbnails for the recent checks list: small, made on the fly from the safe copy. */
const THUMB_SIDE = 240;

/** Several one-photo checks (the check page uploads each photo on its own) in one zip. */
export const zipQuery = z.object({
  ids: z.string().max(2000).transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(checkId).min(1, 'Name at least one check.').max(50, 'At most 50 checks at a time.'))
    .describe('Comma-separated check ids'),
});

export function checksRoutes(ctx: AppContext & { checks: ChecksService }): Router {
  const r = Router();
  // Photos stay in memory for the request only; the real type is confirmed from the bytes later.
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: ctx.config.MAX_UPLOAD_MB * 1024 * 1024, files: ctx.config.MAX_PHOTOS_PER_CHECK, fields: 10 },
  });

  r.post('/checks', requireUser, ctx.checks.admission, readUpload(upload.array('photos')), async (req, res) => {
    const body = checkBody.parse(req.body ?? {});
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const record = await ctx.checks.check(currentUser(req).id, files, { mode: body.mode, eventId: body.eventId });
    res.status(201).json(presentCheck(record));
  });

  // Before /checks/:id, which would otherwise take "zip" as an id.
  r.get('/checks/zip', requireUser, (req, res) => {
    const userId = currentUser(req).id;
    // Every check is loaded (and owner-checked: 404 for anyone else's) before anything is sent.
    const records = zipQuery.parse(req.query).ids.map((id) => ctx.checks.get(userId, id));
    res.setHeader('Cache-Control', 'no-store');
    res.attachment('sharesafe-photos.zip');
    sendZip(res, records.flatMap((record) => record.photos.filter((p) => p.ok)
      .map((p) => ({ path: ctx.checks.safeCopyPath(userId, record.id, p.index).path, name: p.fileName }))), ctx.logger);
  });

  r.get('/checks/:id', requireUser, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(presentCheck(ctx.checks.get(currentUser(req).id, checkId.parse(req.params.id))));
  });

  r.get('/checks', requireUser, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ checks: ctx.checks.recent(currentUser(req).id).map(presentCheck) });
  });

  r.get('/checks/:id/photos/:index', requireUser, async (req, res) => {
    const file = ctx.checks.safeCopyPath(currentUser(req).id, checkId.parse(req.params.id), photoIndex.parse(req.params.index));
    res.setHeader('Cache-Control', 'no-store');
    res.type('image/jpeg');
    if (req.query.size === 'thumb') {
      res.send(await sharp(file.path).resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer());
      return;
    }
    if (req.query.download !== undefined) res.attachment(file.fileName);
    res.sendFile(file.path);
  });

  // The parent's review: blur more (masks), or put back a weak region after a look.
  r.post('/checks/:id/photos/:index/masks', requireUser, async (req, res) => {
    const body = maskBody.parse(req.body ?? {});
    const record = await ctx.checks.review.addMasks(currentUser(req).id, checkId.parse(req.params.id), photoIndex.parse(req.params.index), body.masks, body.style);
    res.json(presentCheck(ctx.checks.get(record.ownerId, record.id)));
  });

  r.get('/checks/:id/photos/:index/regions/:face', requireUser, async (req, res) => {
    const jpeg = await ctx.checks.review.regionPreview(currentUser(req).id, checkId.parse(req.params.id), photoIndex.parse(req.params.index), faceIndex.parse(req.params.face));
    res.setHeader('Cache-Control', 'no-store');
    res.type('image/jpeg').send(jpeg);
  });

  r.post('/checks/:id/photos/:index/regions/:face/reveal', requireUser, async (req, res) => {
    revealBody.parse(req.body ?? {});
    const record = await ctx.checks.review.revealRegion(currentUser(req).id, checkId.parse(req.params.id), photoIndex.parse(req.params.index), faceIndex.parse(req.params.face));
    res.json(presentCheck(ctx.checks.get(record.ownerId, record.id)));
  });

  r.get('/checks/:id/zip', requireUser, (req, res) => {
    const userId = currentUser(req).id;
    const record = ctx.checks.get(userId, checkId.parse(req.params.id));
    res.setHeader('Cache-Control', 'no-store');
    res.attachment(`sharesafe-${record.id.slice(0, 8)}.zip`);
    sendZip(res, record.photos.filter((p) => p.ok)
      .map((p) => ({ path: ctx.checks.safeCopyPath(userId, record.id, p.index).path, name: p.fileName })), ctx.logger);
  });

  r.delete('/checks/:id', requireUser, (req, res) => {
    ctx.checks.remove(currentUser(req).id, checkId.parse(req.params.id));
    res.status(204).end();
  });

  return r;
}

/** Streams files as a zip. Headers are already sent when a file turns out unreadable (deleted by
 *  the sweep, a disk error), so the only honest answer is to cut the download short; finalize()'s
 *  rejection is handled here, never left to end the process. */
export function sendZip(res: Response, files: Array<{ path: string; name: string }>, logger: Logger): void {
  // One stat at a time: archiver queues entries as their stats finish, so with several at once
  // the zip's order would follow the disk, not the upload.
  const zip = archiver('zip', { store: true, statConcurrency: 1 });
  const fail = (err: Error) => {
    logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'zip download cut short');
    res.destroy();
  };
  zip.on('error', fail);
  // archiver only warns when a file cannot be stat'ed and leaves it out: a zip silently missing
  // a photo is a failure too.
  zip.on('warning', fail);
  zip.pipe(res);
  // Several checks (one per photo on the check page) may each hold an "IMG_1234-safe.jpg".
  const used = new Set<string>();
  for (const f of files) {
    let name = f.name;
    for (let n = 2; used.has(name.toLowerCase()); n += 1) name = f.name.replace(/(\.jpg)?$/i, `-${n}$1`);
    used.add(name.toLowerCase());
    zip.file(f.path, { name });
  }
  zip.finalize().catch(fail);
}
