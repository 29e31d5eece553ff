import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../features/accounts/auth.middleware';
import { presentVideo, type ParentVideo } from '../features/videos/videos.presenter';
import { submitUpload, videoId, videoUpload } from '../features/videos/videos.routes';
import type { VideosService } from '../features/videos/videos.service';
import { AppError, notFound } from '../platform/errors';
import { requirePageUser } from './auth-pages';
import { timeOf } from './check-view';
import { html, type SafeHtml } from './html';
import { csrfField, layout } from './layout';
import type { RecentSource } from './recent-items';

// The parents' video pages: upload a clip (works without JS), follow its progress (a script
// polls the API; without JS the page refreshes itself), watch and download the safe copy, and
// come back later to a list of recent video checks. Pages render only the parent's view
// (presentVideo): own child / visible / blurred.

const STATE_WORDS: Record<ParentVideo['state'], string> = {
  queued: 'Waiting to start', running: 'Being checked', done: 'Ready', failed: 'Not checked', expired: 'Deleted (expired)',
};

function timeLeft(v: ParentVideo): string {
  if (v.state === 'queued') return 'Waiting for other videos to finish.';
  if (v.secondsLeft === null) return 'Working out how long this takes…';
  return v.secondsLeft < 60 ? 'Less than a minute left.' : `About ${Math.ceil(v.secondsLeft / 60)} minutes left.`;
}

function recentList(videos: ParentVideo[]): SafeHtml {
  if (videos.length === 0) return html`<p class="muted">You have not checked any videos yet.</p>`;
  return html`<ul class="recent-videos">${videos.map((v) => html`<li><a href="/videos/${v.id}">Video checked ${timeOf(v.createdAt)}</a> · <span class="state-${v.state}">${STATE_WORDS[v.state]}${v.state === 'running' ? ` (${v.percent}%)` : ''}</span></li>`)}</ul>`;
}

/** Video checks in the parent's "recent checks" list beside their photo checks (not expired ones). */
export const videoCheckItems = (videos: VideosService): RecentSource => (userId) =>
  videos.list(userId).map(({ job, stored }) => presentVideo(job, stored))
    .filter((v) => v.state !== 'expired' && v.error?.code !== 'cancelled')
    .map((v) => ({
      kind: 'video', id: v.id, title: 'Video',
      createdAt: v.createdAt, expiresAt: v.state === 'done' || v.state === 'failed' ? v.expiresAt : null,
      status: v.state === 'running' ? `${STATE_WORDS[v.state]} (${v.percent}%)` : STATE_WORDS[v.state],
      thumbnails: [], openUrl: `/videos/${v.id}`, deleteUrl: `/videos/${v.id}/delete`,
    }));

export function videoPages(ctx: AppContext & { videos: VideosService }): Router {
  const r = Router();
  const mine = (req: Request) => ctx.videos.list(currentUser(req).id).map(({ job, stored }) => presentVideo(job, stored));

  function uploadPage(req: Request, res: Response, o: { error?: string; mode?: string; eventId?: number } = {}) {
    const mode = o.mode === 'only_my_child' ? 'only_my_child' : 'standard';
    const radio = (value: string, label: string, hint: string) => html`<div class="choice">
<input type="radio" id="vmode-${value}" name="mode" value="${value}"${mode === value ? html` checked` : ''} aria-describedby="vmode-${value}-hint">
<label for="vmode-${value}"><strong>${label}</strong><br><span class="muted" id="vmode-${value}-hint">${hint}</span></label></div>`;
    const body = html`<h1>Check a video before you share</h1>
<p class="lead">Choose a clip from your phone. ShareSafe blurs the faces of children who should not be shared in every frame, keeps the sound, removes location and phone details, and gives you a safe copy.</p>
${o.error ? html`<div class="alert alert-error" role="alert"><p>${o.error}</p></div>` : ''}
${ctx.videos.problem ? html`<div class="alert alert-warn"><p>Videos cannot be checked on this server at the moment. Photos still can.</p></div>` : ''}
<form class="card" method="post" action="/videos" enctype="multipart/form-data">
${csrfField(req)}
${o.eventId !== undefined ? html`<input type="hidden" name="eventId" value="${o.eventId}">` : ''}
<label for="video">Choose a video</label>
<p class="hint" id="video-hint">MP4 or MOV, as your phone saved it: up to ${Math.round(ctx.config.VIDEO_MAX_SECONDS / 60)} minutes and ${ctx.config.VIDEO_MAX_MB} MB. Checking takes about as long as the clip, or longer when the school's server is busy: you can leave this page and come back.</p>
<input type="file" id="video" name="video" accept="video/mp4,video/quicktime,.mp4,.mov" required aria-describedby="video-hint">
<fieldset>
<legend>Who may stay visible?</legend>
${radio('standard', 'Everyone allowed', 'Your child and children whose parents agreed to sharing.')}
${radio('only_my_child', 'Only my child', 'Keep only your child sharp and blur everything else. Best for crowded scenes.')}
</fieldset>
<button type="submit" class="button button-block">Check video</button>
</form>
<section class="card" aria-labelledby="recent-title">
<h2 id="recent-title">Your recent videos</h2>
${recentList(mine(req))}
</section>`;
    res.status(o.error ? 400 : 200).type('html').send(layout(req, { title: 'Check a video', body }));
  }

  r.get('/videos', requirePageUser, (req, res) => uploadPage(req, res, { mode: String(req.query.mode ?? '') }));

  // Without JavaScript too: the form posts here, then the progress page.
  r.post('/videos', ...videoUpload(ctx), async (req, res) => {
    try {
      const job = await submitUpload(ctx, req, res);
      res.redirect(303, `/videos/${job.id}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      uploadPage(req, res, { error: err.message, mode: req.body?.mode });
    }
  });

  r.get('/videos/:id', requirePageUser, (req, res) => {
    const id = videoId.safeParse(req.params.id);
    if (!id.success) throw notFound('video check');
    const { job, stored } = ctx.videos.get(currentUser(req).id, id.data);
    const v = presentVideo(job, stored);
    res.setHeader('Cache-Control', 'no-store');
    const working = v.state === 'queued' || v.state === 'running';
    const body = html`<h1>${v.state === 'done' ? 'Your safe video' : 'Checking your video'}</h1>
${working ? html`<noscript><meta http-equiv="refresh" content="5"></noscript>
<section class="card" id="video-progress" data-status-url="${v.statusUrl}" aria-live="polite">
<p><strong id="video-state">${STATE_WORDS[v.state]}</strong> · <span id="video-percent">${v.percent}%</span></p>
<progress id="video-bar" max="100" value="${v.percent}">${v.percent}%</progress>
<p class="muted" id="video-left">${timeLeft(v)}</p>
<p>You can leave this page: the check carries on, and your videos are listed on the <a href="/videos">video page</a>.</p>
</section>` : ''}
${v.state === 'done' && v.result ? html`<section class="card">
<video controls preload="metadata" width="${v.result.width}" height="${v.result.height}" src="${v.result.downloadUrl}" class="safe-video"></video>
<p class="summary">${v.result.summary}</p>
<ul class="legend" aria-label="Faces in the video">
<li><span class="swatch swatch-own" aria-hidden="true"></span>Your child (${v.result.counts.own_child})</li>
<li><span class="swatch swatch-visible" aria-hidden="true"></span>Visible (${v.result.counts.visible})</li>
<li><span class="swatch swatch-blurred" aria-hidden="true"></span>Blurred (${v.result.counts.blurred})</li>
</ul>
<p class="actions"><a class="button" href="${v.result.downloadUrl}?download" download>Download safe video</a>
<a class="button button-secondary" href="/videos">Check another video</a></p>
${v.expiresAt ? html`<p class="muted">This copy is deleted at ${timeOf(v.expiresAt)}. Download it before then.</p>` : ''}
</section>` : ''}
${v.state === 'failed' ? html`<div class="alert alert-error" role="alert"><p>${v.error?.message ?? 'This video could not be checked.'}</p></div>
<p>No copy was made. Do not share the original. <a href="/videos">Try again</a> or ask the school office.</p>` : ''}
${v.state === 'expired' ? html`<p>This safe copy has been deleted, as all copies are after a while. <a href="/videos">Check the video again</a>.</p>` : ''}
<script src="/static/video.js" defer></script>`;
    res.type('html').send(layout(req, { title: 'Video check', body }));
  });

  // "Delete now" from the recent checks list (works without JS; stops a running check too).
  r.post('/videos/:id/delete', requirePageUser, (req, res) => {
    const id = videoId.safeParse(req.params.id);
    if (!id.success) throw notFound('video check');
    ctx.videos.remove(currentUser(req).id, id.data);
    res.redirect(303, String(req.get('referer') ?? '').endsWith('/videos') ? '/videos' : '/check#recent');
  });

  return r;
}
