import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { REVIEW_WINDOW_DAYS, type ReviewReason } from '../../features/register/consent-reviews.service';
import { AppError } from '../../platform/errors';
import { html } from '../html';
import { csrfField } from '../layout';
import { adminOnly, formatDate, plural, redirectWithFlash, sendPage } from './shared';

const REASON: Record<ReviewReason, string> = {
  photo_review_due: 'photo consent due for review',
  photo_not_answered: 'photo sharing: no answer',
  biometric_not_answered: 'face recognition: no answer',
};
const sendForm = z.object({ expected: z.coerce.number().int().min(0) });

/** "Please review your consent" e-mails: the list first, then one confirmed send to all of them. */
export function consentReviewPages(ctx: AppContext): Router {
  const r = Router();

  function page(req: Request, res: Response, error?: string, status = 200) {
    const list = ctx.register.reviewRecipients();
    const body = html`<p class="breadcrumbs"><a href="/office">Dashboard</a></p>
<h1>Ask parents to review their consent</h1>
<p class="lead">Parents whose own photo consent is due for review within ${REVIEW_WINDOW_DAYS} days (or has passed), or who never
answered online or on paper. Each gets one e-mail naming only their own children, with a link to the online consent form.</p>
${error ? html`<div class="alert alert-error" role="alert"><p>${error}</p></div>` : null}
${list.length === 0 ? html`<p>Nobody needs a reminder just now.</p>` : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Parents to remind"><table class="office-history" id="review-recipients">
<caption>${plural(list.length, 'parent')} to e-mail</caption>
<thead><tr><th scope="col">Parent</th><th scope="col">E-mail</th><th scope="col">Children and why</th></tr></thead>
<tbody>${list.map((p) => html`<tr><td>${p.name}</td><td>${p.email}</td><td>${p.children.map((c) => html`<a href="/office/pupils/${c.id}">${c.firstName} ${c.lastName}</a>: ${c.reasons.map((x) => REASON[x]).join(', ')}${c.reviewOn ? ` (review by ${formatDate(c.reviewOn)})` : ''}<br>`)}</td></tr>`)}</tbody>
</table></div>
<form method="post" action="/office/consent-reviews/send" class="office-form">
${csrfField(req)}
<input type="hidden" name="expected" value="${list.length}">
<p>This sends <strong>${plural(list.length, 'e-mail')}</strong> now. If the list changes before you press the button, nothing is sent and you see the new list.</p>
<div class="actions"><button type="submit" class="button">Yes, send ${plural(list.length, 'e-mail')}</button> <a href="/office">Cancel</a></div>
</form>`}`;
    sendPage(req, res, { title: 'Ask parents to review consent', body, status, wide: true });
  }

  r.get('/office/consent-reviews', adminOnly, (req, res) => page(req, res));

  r.post('/office/consent-reviews/send', adminOnly, async (req, res) => {
    const form = sendForm.safeParse(req.body ?? {});
    if (!form.success) return page(req, res, 'Look at the list, then press the send button.', 400);
    try {
      const { sent, failed } = await ctx.register.sendReviewReminders(form.data.expected, req.auth!.user.id);
      redirectWithFlash(res, '/office/consent-reviews', `${plural(sent, 'e-mail')} sent.${failed ? ` ${failed} could not be sent; try again later.` : ''}`);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return page(req, res, err.message, 409);
      throw err;
    }
  });

  return r;
}
