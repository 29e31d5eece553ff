import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { readUpload, strictInt } from '../platform/http';
import type { AppContext } from '../context';
import { currentUser } from '../features/accounts/auth.middleware';
import type { EventRecord } from '../features/events/events.repo';
import { guidanceParagraphs } from '../features/events/guidance';
import { AppError, notFound } from '../platform/errors';
import { requirePageUser } from './auth-pages';
import { okPhotos, photoCards, timeOf } from './check-view';
import { formatWhen, html, type SafeHtml } from './html';
import { csrfField, layout } from './layout';
import { photoCheckItems, recentItems, recentList, type RecentSource } from './recent-items';
import { videoCheckItems } from './video-pages';

const checkId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/);
const linkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);
const checkForm = z.object({
  mode: z.enum(['standard', 'only_my_child']).default('standard'),
  eventId: strictInt().pipe(z.number().positive()).optional(),
});
const cardQuery = z.object({ n: strictInt().pipe(z.number().min(0).max(1000)).default(0) });
const photoIndex = strictInt().pipe(z.number().min(0).max(1000));
const faceIndex = strictInt().pipe(z.number().min(0).max(10_000));
const revealForm = z.object({ notAPerson: z.literal('yes').optional() });

interface CheckPageOptions {
  event?: EventRecord;
  /** Kept when the form comes back with an error (the banner needs the whole event; the field does not). */
  eventId?: number;
  mode?: 'standard' | 'only_my_child';
  error?: string;
}

/** The parents' pages: check photos (with or without JS), results, and event upload links. */
export function checkPages(ctx: AppContext): Router {
  const { checks, config, events } = ctx;
  const r = Router();
  // Every kind of recent work a parent may reopen: photo checks and video checks.
  const recentSources: RecentSource[] = [photoCheckItems(checks), videoCheckItems(ctx.videos)];
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.MAX_UPLOAD_MB * 1024 * 1024, files: config.MAX_PHOTOS_PER_CHECK, fields: 10 },
  });

  function whyBlurred(): SafeHtml {
    const first = guidanceParagraphs(events.guidance.read().text)[0];
    return html`<section class="card why" aria-labelledby="why-title">
<h2 id="why-title">Why some faces are blurred</h2>
${first ? html`<p>${first}</p>` : ''}
<p>Some parents have not agreed to their child's photo being shared, and some children must not appear online at all for their safety. ShareSafe blurs every face it cannot be sure about, so you can share your photos without worrying. Your own child stays visible.</p>
<p><a href="/guidance">Read the school's photo guidance</a></p>
</section>`;
  }

  function checkPage(req: Request, res: Response, o: CheckPageOptions = {}) {
    const mode = o.mode ?? 'standard';
    const eventId = o.event?.id ?? o.eventId;
    const radio = (value: string, label: SafeHtml, hint: string) => html`<div class="choice">
<input type="radio" id="mode-${value}" name="mode" value="${value}"${mode === value ? html` checked` : ''} aria-describedby="mode-${value}-hint">
<label for="mode-${value}">${label}<br><span class="muted" id="mode-${value}-hint">${hint}</span></label></div>`;
    const body = html`<h1>Check photos before you share</h1>
${o.event ? html`<div class="alert alert-info"><p><strong>${o.event.name}</strong><br>${formatWhen(o.event.startsAt)} · ${o.event.place}</p></div>` : ''}
<p class="lead">Choose photos from your phone or computer. ShareSafe blurs the faces of children who should not be shared and gives you a safe copy to download or share.</p>
${o.error ? html`<div class="alert alert-error" role="alert"><p>${o.error}</p></div>` : ''}
<form id="check-form" class="card" method="post" action="/check" enctype="multipart/form-data"
 data-csrf="${req.auth?.csrfToken ?? ''}" data-max-files="${config.MAX_PHOTOS_PER_CHECK}" data-max-mb="${config.MAX_UPLOAD_MB}">
${csrfField(req)}
${eventId !== undefined ? html`<input type="hidden" name="eventId" value="${eventId}">` : ''}
<div class="dropzone" id="dropzone">
<span class="dropzone-icon" aria-hidden="true"><svg viewBox="0 0 24 24" focusable="false"><rect x="3" y="4" width="18" height="16" rx="2"/><circle cx="9" cy="10" r="2"/><path d="M21 16l-5-5-9 9"/></svg></span>
<label for="photos">Choose photos</label>
<p class="hint" id="photos-hint">Pick one or many from your camera roll<span class="js-only"> or drag them here</span>. JPEG, PNG, WebP or HEIC, up to ${config.MAX_UPLOAD_MB} MB each.</p>
<input type="file" id="photos" name="photos" multiple accept="image/*,.heic,.heif" required aria-describedby="photos-hint">
</div>
<ul class="selected-files" id="selected-files" aria-live="polite"></ul>
<fieldset>
<legend>Who may stay visible?</legend>
${radio('standard', html`<strong>Everyone allowed</strong>`, 'Your child and children whose parents agreed to sharing.')}
${radio('only_my_child', html`<strong>Only my child</strong>`, 'Keep only your child sharp and blur everything else, faces the checker may have missed included. Best for crowded photos.')}
</fieldset>
<button type="submit" class="button button-block" id="check-button">Check photos</button>
</form>
<section id="results" class="results" aria-live="polite" hidden>
<div class="results-toolbar"><h2>Your safe copies</h2>
<p class="muted small results-note">Location and camera details are removed from every copy. Copies are deleted after an hour: download them before then.</p>
<p class="actions" id="results-actions" hidden><a class="button" id="zip-link" href="#" download>Download all (zip)</a>
<button type="button" class="button button-secondary" id="share-all" hidden>Share all…</button></p></div>
<div id="result-list"></div>
</section>
${recentList(recentItems(recentSources, currentUser(req).id), ctx.clock.now(), csrfField(req))}
${whyBlurred()}
<script src="/static/check.js" defer></script>
<script src="/static/blur-editor.js" defer></script>`;
    res.status(o.error ? 400 : 200).type('html').send(layout(req, { title: 'Check photos', body }));
  }

  r.get('/check', requirePageUser, (req, res) => {
    const mode = req.query.mode === 'only_my_child' ? 'only_my_child' : 'standard';
    checkPage(req, res, { mode });
  });

  // Without JavaScript: one multipart form, then the results page.
  r.post('/check', requirePageUser, ctx.checks.admission, readUpload(upload.array('photos')), async (req, res) => {
    const form = checkForm.parse(req.body ?? {});
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    try {
      const record = await checks.check(currentUser(req).id, files, { mode: form.mode, eventId: form.eventId });
      res.redirect(303, `/checks/${record.id}`);
    } catch (err) {
      // The parent's own mistake (no photo, not an image) comes back on the form; the rest is an error page.
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      checkPage(req, res, { mode: form.mode, error: err.message, eventId: form.eventId });
    }
  });

  const loadCheck = (req: Request) => {
    const id = checkId.safeParse(req.params.id);
    if (!id.success) throw notFound('check');
    return checks.get(currentUser(req).id, id.data);
  };

  r.get('/checks/:id', requirePageUser, (req, res) => {
    const check = loadCheck(req);
    const ok = okPhotos(check);
    res.setHeader('Cache-Control', 'no-store');
    const body = html`<h1>Your safe copies</h1>
<p class="lead">${ok.length === 1 ? 'Your photo is' : `${ok.length} photos are`} ready. Faces that needed it are blurred, and location and camera details are removed.</p>
<p class="muted">These copies are deleted at ${timeOf(check.expiresAt)}. Download them before then.</p>
<p class="actions">
${ok.length > 1 ? html`<a class="button" href="/api/checks/${check.id}/zip" download>Download all (zip)</a>` : ''}
<a class="button button-secondary" href="/check">Check more photos</a>
</p>
<section class="results" aria-label="Results">${photoCards(check, 0, 2)}</section>
<form method="post" action="/checks/${check.id}/delete" class="inline-form">${csrfField(req)}<button type="submit" class="button button-secondary">Delete these copies now</button></form>
<p><a href="/guidance">Read the school's photo guidance</a></p>
<script src="/static/check.js" defer></script>
<script src="/static/blur-editor.js" defer></script>`;
    res.type('html').send(layout(req, { title: 'Your safe copies', body }));
  });

  // With JavaScript: the check page fetches each result's cards as HTML, so there is one renderer.
  r.get('/checks/:id/card', requirePageUser, (req, res) => {
    const check = loadCheck(req);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(photoCards(check, cardQuery.parse(req.query).n).value);
  });

  r.post('/checks/:id/delete', requirePageUser, (req, res) => {
    const check = loadCheck(req);
    checks.remove(currentUser(req).id, check.id);
    res.redirect(303, '/check#recent');
  });

  // "May be a face": the parent looks at the place enlarged and confirms it is not a person.
  const regionOf = (req: Request) => {
    const check = loadCheck(req);
    const index = photoIndex.safeParse(req.params.index);
    const face = faceIndex.safeParse(req.params.face);
    if (!index.success || !face.success) throw notFound('photo');
    return { check, index: index.data, face: face.data };
  };

  function regionPage(req: Request, res: Response, error?: string) {
    const { check, index, face } = regionOf(req);
    // Refuses (409/410) before the page promises anything: a face is never offered.
    checks.review.assertRevealable(currentUser(req).id, check.id, index, face);
    const body = html`<h1>Is this a person?</h1>
<p class="lead">ShareSafe blurred this place to be safe: it may be a face. Here it is, enlarged, as it is in your photo.</p>
<figure class="figure region-preview"><img src="/api/checks/${check.id}/photos/${index}/regions/${face}" alt="The blurred place, enlarged"></figure>
${error ? html`<div class="alert alert-error" role="alert"><p>${error}</p></div>` : ''}
<form method="post" class="card">${csrfField(req)}
<div class="choice"><input type="checkbox" id="not-a-person" name="notAPerson" value="yes" required${error ? html` aria-invalid="true"` : ''}>
<label for="not-a-person">I have looked: this is not a person or part of one (for example a pattern, a poster or a toy)</label></div>
<p class="actions"><button type="submit" class="button">Put this place back</button><a class="button button-secondary" href="/checks/${check.id}">Keep it blurred</a></p>
</form>`;
    res.status(error ? 400 : 200).setHeader('Cache-Control', 'no-store');
    res.type('html').send(layout(req, { title: 'Is this a person?', body }));
  }

  r.get('/checks/:id/photos/:index/regions/:face', requirePageUser, (req, res) => regionPage(req, res));

  r.post('/checks/:id/photos/:index/regions/:face', requirePageUser, async (req, res) => {
    const form = revealForm.safeParse(req.body ?? {});
    if (!form.success || form.data.notAPerson !== 'yes') return regionPage(req, res, 'Tick the box to confirm this is not a person, or keep it blurred.');
    const { check, index, face } = regionOf(req);
    await checks.review.revealRegion(currentUser(req).id, check.id, index, face);
    res.redirect(303, `/checks/${check.id}`);
  });

  r.get('/e/:token', requirePageUser, (req, res) => {
    const token = linkToken.safeParse(req.params.token);
    if (!token.success) throw notFound('upload link');
    checkPage(req, res, { event: events.eventForLink(token.data) });
  });

  return r;
}
