import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import { addDays } from '../../features/register/consent-rules';
import { isoDate } from '../../platform/clock';
import { html } from '../html';
import { auditTable } from './audit-view';
import { formatDateTime, isAdmin, plural, sendPage, staffOnly } from './shared';

/** The office's front page: what needs doing, each count a link to the pupils it counts. */
export function dashboardPage(ctx: AppContext): Router {
  const r = Router();

  r.get('/office', staffOnly, (req, res) => {
    if (!isAdmin(req)) return organiserDashboard(ctx, req, res);
    const s = ctx.register.summary();
    const today = isoDate(ctx.clock.now());
    // The summary counts current grants reviewed on or before today + window; the list's
    // reviewDue filter is "review date before", hence the extra day.
    const reviewDue = addDays(today, s.reviewWindowDays + 1);
    const tiles = [
      { n: s.photoConsentMissing, label: 'Photo consent not asked', href: '/office/pupils?photoConsent=not_asked', tone: 'warn' },
      { n: s.photoConsentReviewDueSoon, label: `Review due in the next ${s.reviewWindowDays} days`, href: `/office/pupils?photoConsent=granted&reviewDue=${reviewDue}`, tone: 'warn' },
      { n: s.photoConsentExpired, label: 'Photo consent expired', href: '/office/pupils?photoConsent=expired', tone: 'bad' },
      { n: s.photoConsentRefused, label: 'Photo consent refused', href: '/office/pupils?photoConsent=refused', tone: 'info' },
      { n: s.biometricHoldsNotEnrolled, label: 'Biometric consent but no reference photo', href: '/office/pupils?biometric=holds&enrolled=no', tone: 'warn' },
    ];
    const recent = isAdmin(req) ? ctx.audit.list({ limit: 10 }) : [];
    const body = html`<h1>School office</h1>
<p class="lead">${plural(s.pupilsOnRoll, 'pupil')} on roll: ${s.photoConsentGranted} with current photo consent, ${s.enrolled} with a reference photo.</p>
<section aria-labelledby="todo-heading">
<h2 id="todo-heading">Needs attention</h2>
<ul class="office-tiles">
${tiles.map((t) => html`<li><a class="office-tile office-tile-${t.n === 0 ? 'none' : t.tone}" href="${t.href}"><span class="office-tile-count">${t.n}</span> <span class="office-tile-label">${t.label}</span></a></li>`)}
</ul>
</section>
<p class="office-actions"><a class="button" href="/office/pupils">All pupils</a>
${isAdmin(req) ? html`<a class="button button-secondary" href="/office/pupils/new">Add a pupil</a> <a class="button button-secondary" href="/office/import">Import from the MIS</a>
<a class="button button-secondary" href="/office/consent-reviews">Ask parents to review consent</a>` : null}</p>
${isAdmin(req) ? html`<section aria-labelledby="recent-heading">
<h2 id="recent-heading">Recent activity</h2>
${recent.length ? auditTable(ctx, recent) : html`<p>Nothing yet.</p>`}
<p><a href="/office/audit">The full audit trail</a></p>
</section>` : null}`;
    sendPage(req, res, { title: 'School office', body, wide: true });
  });

  return r;
}

/** An organiser's own front page: their events to come, and how many children in each may not
 *  appear in shared photos. Nothing of the register beyond that. */
function organiserDashboard(ctx: AppContext, req: Request, res: Response) {
  const user = req.auth!.user;
  const now = ctx.clock.now().toISOString();
  const events = ctx.events.list(user);
  const upcoming = events.filter((e) => e.startsAt >= now);
  const rows = upcoming.map((e) => ({ e, gaps: ctx.events.consentGaps(user, e.id) }));
  const body = html`<h1>Your events</h1>
<p class="lead">${upcoming.length ? `${plural(upcoming.length, 'event')} to come.` : 'No events to come.'} ${events.length > upcoming.length ? html`<a href="/office/events">All your events</a>` : null}</p>
${rows.length ? html`<ul class="office-tiles">${rows.map(({ e, gaps }) => html`<li><a class="office-tile office-tile-${gaps.lacking.length ? 'warn' : 'none'}" href="/office/events/${e.id}">
<span class="office-tile-count">${gaps.lacking.length}</span> <span class="office-tile-label">of ${plural(gaps.participantCount, 'child', 'children')} without photo consent: ${e.name}, ${formatDateTime(e.startsAt)}</span></a></li>`)}</ul>` : null}
<p class="office-actions"><a class="button" href="/office/events/new">Plan an event</a></p>`;
  sendPage(req, res, { title: 'Your events', body, wide: true });
}
