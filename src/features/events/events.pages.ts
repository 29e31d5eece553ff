import { Router } from 'express';
import QRCode from 'qrcode';
import { linkToken } from './events.schemas';
import type { AppContext } from '../../context';
import { idParam } from '../../platform/http';
import { currentUser, requireRole } from '../accounts/auth.middleware';
import { html, raw } from '../../web/html';
import { layout } from '../../web/layout';
import { guidanceParagraphs } from './guidance';
import { escapeHtml, formatWhen, page, paragraphsHtml } from './html';

/** Server-rendered pages: the public guidance and the printable announcement for an event. */
export function eventsPages(ctx: AppContext): Router {
  const { events, config } = ctx;
  const school = config.SCHOOL_NAME;
  const r = Router();

  // Public, but shown in the site's layout so a signed-in parent keeps the nav and the checker.
  r.get('/guidance', (req, res) => {
    req.app.locals.schoolName ??= school;
    const body = html`<h1>Taking and sharing photos of school events</h1>
<div class="prose">${raw(paragraphsHtml(guidanceParagraphs(events.guidance.read().text)))}</div>
<section class="card">
<h2>Why ShareSafe blurs faces</h2>
<p>Some families have not agreed to their child appearing in photos that other parents share, often for
safeguarding reasons you cannot see. ShareSafe blurs every face it cannot positively recognise as your own
child or as a child whose parents have agreed, so what you share is safe for everyone.</p>
${req.auth ? html`<p><a class="button" href="/check">Check your photos</a></p>` : html`<p><a href="/login">Sign in</a> to check your photos.</p>`}
</section>`;
    res.type('html').send(layout(req, { title: 'Photo guidance', body }));
  });

  r.get('/events/:id/announcement', requireRole('admin', 'organiser'), async (req, res) => {
    const event = events.accessibleEvent(currentUser(req), idParam.parse(req.params.id));
    // With ?link= (from the page that just showed a new upload link, which is never stored
    // readable) the QR code opens this event's checker; otherwise the sign-in page.
    const token = linkToken.safeParse(req.query.link);
    const linked = token.success && linkIsFor(token.data, event.id);
    const target = linked ? `${config.publicUrl}/e/${token.data}` : `${config.publicUrl}/check`;
    const qr = await QRCode.toString(target, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    const body = `<main class="sheet announcement">
<header>
<p class="school">${escapeHtml(school)}</p>
<h1>${escapeHtml(event.name)}</h1>
<p class="when">${escapeHtml(formatWhen(event.startsAt))}</p>
<p class="place">${escapeHtml(event.place)}</p>
</header>
<section class="guidance">
<h2>Photos and videos at this event</h2>
${paragraphsHtml(guidanceParagraphs(events.guidance.read().text))}
</section>
<section class="checker">
<h2>Check before you share</h2>
<p>ShareSafe blurs the faces of children whose parents have not agreed to their photos being shared.
Parents of children taking part have been sent an upload link by email; you can also sign in at
<strong>${escapeHtml(config.publicUrl)}</strong>.</p>
<figure class="qr"><div class="qr-code" role="img" aria-label="QR code: ${escapeHtml(target)}">${qr}</div>
<figcaption>Scan with your phone's camera to ${linked ? 'check your photos of this event' : 'sign in and check your photos'}:<br><strong>${escapeHtml(target)}</strong></figcaption></figure>
</section>
<footer><p>Thank you for helping keep every child safe. Guidance: ${escapeHtml(`${config.publicUrl}/guidance`)}</p></footer>
</main>`;
    res.type('html').send(page(`${event.name} - announcement`, body));
  });

  /** An unknown or expired link is simply not used (the sheet then points at the sign-in page). */
  function linkIsFor(token: string, eventId: number): boolean {
    try {
      return events.eventForLink(token).id === eventId;
    } catch {
      return false;
    }
  }

  return r;
}
