import { Router } from 'express';
import type { AppContext } from '../../context';
import { idParam } from '../../platform/http';
import { currentUser, requireRole } from '../accounts/auth.middleware';
import { guidanceParagraphs } from './guidance';
import { escapeHtml, formatWhen, page, paragraphsHtml } from './html';

/** Server-rendered pages: the public guidance and the printable announcement for an event. */
export function eventsPages(ctx: AppContext): Router {
  const { events, config } = ctx;
  const school = config.SCHOOL_NAME;
  const r = Router();

  r.get('/guidance', (_req, res) => {
    const body = `<main class="sheet">
<p class="school">${escapeHtml(school)}</p>
<h1>Taking and sharing photos of school events</h1>
${paragraphsHtml(guidanceParagraphs(events.guidance.read().text))}
</main>`;
    res.type('html').send(page(`Photo guidance - ${school}`, body));
  });

  r.get('/events/:id/announcement', requireRole('admin', 'organiser'), (req, res) => {
    const event = events.accessibleEvent(currentUser(req), idParam.parse(req.params.id));
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
</section>
<footer><p>Thank you for helping keep every child safe. Guidance: ${escapeHtml(`${config.publicUrl}/guidance`)}</p></footer>
</main>`;
    res.type('html').send(page(`${event.name} - announcement`, body));
  });

  return r;
}
