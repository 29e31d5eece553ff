import type { Request, Response } from 'express';
import type { AppContext } from '../../context';
import type { Delivery, Reminder } from '../../features/events/reminders.repo';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { errorSummary, textField } from './fields';
import { yearGroupLabel } from './forms';
import { gapBadge, reminderSummary } from './events-view';
import { emptyForm, formatDateTime, isAdmin, photoBadge, plural, pupilName, sendPage, type FormState } from './shared';

// The event page for its organisers and the office: who lacks photo consent (names: staff only),
// the printable announcement, upload links and the guidance reminders with their deliveries.

export interface EventPageState {
  reminder?: FormState;
  link?: FormState;
  /** A just-created upload link: shown once, never stored in a readable form. */
  newLink?: { url: string; expiresAt: string };
}

const STATUS_BADGES: Record<Reminder['status'], SafeHtml> = {
  scheduled: html`<span class="badge badge-neutral">Scheduled</span>`,
  started: html`<span class="badge badge-ok">Sent</span>`,
  cancelled: html`<span class="badge">Cancelled</span>`,
};

function offsetText(r: Reminder): string {
  if (r.kind === 'on_demand' || r.offsetMinutes === null) return 'Sent on demand';
  const days = Math.floor(r.offsetMinutes / 1440);
  const hours = Math.floor((r.offsetMinutes % 1440) / 60);
  return `${[days ? plural(days, 'day') : '', hours ? plural(hours, 'hour') : ''].filter(Boolean).join(' ')} before`;
}

const deliveryState = (d: Delivery): SafeHtml => (d.state === 'sent' ? html`<span class="badge badge-ok">Sent</span>`
  : d.state === 'failed' ? html`<span class="badge badge-bad">Failed</span> <span class="office-details">${d.reason ?? ''}</span>`
    : html`<span class="badge badge-neutral">${d.state === 'sending' ? 'Sending' : 'Waiting'}</span>`);

function deliveriesBlock(req: Request, eventId: number, r: Reminder, deliveries: Delivery[]): SafeHtml | null {
  if (r.status !== 'started') return null;
  const failed = deliveries.filter((d) => d.state === 'failed').length;
  return html`<details class="office-deliveries"><summary>Deliveries (${deliveries.length})${failed ? html` <span class="badge badge-bad">${failed} failed</span>` : null}</summary>
${deliveries.length ? html`<ul class="office-people">${deliveries.map((d) => html`<li><span>${d.name} <span class="muted">${d.email}</span></span><span>${deliveryState(d)}</span></li>`)}</ul>`
    : html`<p class="muted">No parents of the children taking part have an account, so nobody was emailed.</p>`}
${failed ? html`<form method="post" action="/office/events/${eventId}/reminders/${r.id}/resend-failed" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small">Resend to failures</button></form>` : null}
</details>`;
}

function remindersSection(ctx: AppContext, req: Request, eventId: number, started: boolean, form: FormState): SafeHtml {
  const user = req.auth!.user;
  const list = ctx.events.reminders.list(user, eventId);
  return html`<section class="card office-section" id="reminders" aria-labelledby="reminders-heading">
<h2 id="reminders-heading">Reminders to parents</h2>
<p class="muted">Parents of the children taking part get the photo guidance and an upload link by email.</p>
${list.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Reminders"><table class="office-reminders">
<thead><tr><th scope="col">When</th><th scope="col">Goes out</th><th scope="col">Status</th><th scope="col">Deliveries</th></tr></thead>
<tbody>${list.map(({ reminder: r }) => html`<tr>
<td>${offsetText(r)}</td>
<td class="nowrap">${formatDateTime(r.startedAt ?? r.dueAt)}</td>
<td>${STATUS_BADGES[r.status]}${r.status === 'scheduled' ? html` <form method="post" action="/office/events/${eventId}/reminders/${r.id}/cancel" class="inline-form">${csrfField(req)}<button type="submit" class="button button-small button-secondary">Cancel</button></form>` : null}</td>
<td>${r.status === 'started' ? deliveriesBlock(req, eventId, r, ctx.events.reminders.deliveries(user, eventId, r.id)) : html`<span class="muted">–</span>`}</td>
</tr>`)}</tbody></table></div>` : html`<p class="empty">No reminders yet.</p>`}
${started ? html`<p class="muted">The event has started, so no more reminders can be scheduled.</p>` : html`<form method="post" action="/office/events/${eventId}/reminders" novalidate class="office-form office-reminder-form">
${csrfField(req)}
${errorSummary(form)}
<div class="office-field-row office-field-row-narrow">
${textField({ form, idPrefix: 'rem', name: 'days', label: 'Days before', hint: 'Default 2 days.' })}
${textField({ form, idPrefix: 'rem', name: 'hours', label: 'and hours before', hint: '0 to 23.' })}
</div>
<div class="actions"><button type="submit" class="button">Schedule reminder</button></div>
</form>`}
${isAdmin(req) ? html`<form method="post" action="/office/events/${eventId}/guidance/send" class="office-confirm">${csrfField(req)}
<p>Or <button type="submit" class="button button-secondary button-small">Send guidance now</button> to every parent of the children taking part.</p></form>` : null}
</section>`;
}

function linkSection(req: Request, eventId: number, form: FormState, newLink: EventPageState['newLink']): SafeHtml {
  return html`<section class="card office-section" id="upload-link" aria-labelledby="link-heading">
<h2 id="link-heading">Upload link for parents</h2>
${newLink ? html`<div class="alert alert-success" role="status"><p><strong>Here is the new link.</strong> It is shown only once: copy it now. It works until ${formatDateTime(newLink.expiresAt)}.</p>
<label for="new-link">Upload link</label>
<input id="new-link" class="office-copy" type="text" readonly value="${newLink.url}">
<p><a href="/events/${eventId}/announcement?link=${newLink.url.split('/e/')[1] ?? ''}">Print the announcement with a QR code of this link</a></p></div>` : null}
<p class="muted">Parents who open the link and sign in go straight to the checker for this event; reminders include a link of their own.</p>
<form method="post" action="/office/events/${eventId}/upload-link" novalidate class="office-form">
${csrfField(req)}
${errorSummary(form)}
<div class="office-field-row office-field-row-narrow">${textField({ form, idPrefix: 'link', name: 'days', label: 'Valid for (days)', hint: '1 to 90 days.' })}</div>
<div class="actions"><button type="submit" class="button">Create upload link</button></div>
</form></section>`;
}

/** The event page; throws 403/404 as the events service does for someone who may not see it. */
export function renderEventPage(ctx: AppContext, req: Request, res: Response, eventId: number, state: EventPageState = {}, status = 200) {
  const user = req.auth!.user;
  const { event, organisers, selection, participantCount } = ctx.events.get(user, eventId);
  const gaps = ctx.events.consentGaps(user, eventId);
  const started = Date.parse(event.startsAt) <= ctx.clock.now().getTime();
  const pupils = selection.pupilIds.length ? ctx.register.registerRows().filter((r) => selection.pupilIds.includes(r.pupil.id)) : [];
  const rules = [
    ...selection.classes.map((c) => `Class ${c}`),
    ...selection.yearGroups.map(yearGroupLabel),
    ...pupils.map((r) => pupilName(r.pupil)),
  ];
  const body = html`<p class="breadcrumbs"><a href="/office/events">Events</a></p>
<div class="office-heading"><h1>${event.name}</h1>
<div class="office-actions"><a class="button button-secondary" href="/office/events/${event.id}/edit">Edit event</a>
<a class="button button-secondary" href="/events/${event.id}/announcement">Printable announcement</a></div></div>
<p class="office-facts">${formatDateTime(event.startsAt)} · ${event.place}${started ? html` · <span class="badge">Past</span>` : null}</p>
<p class="office-facts">Organisers: ${organisers.length ? organisers.map((o) => o.name).join(', ') : 'none (only the office sees this event)'}</p>
<p class="office-facts">Taking part: ${rules.length ? rules.join(', ') : 'nobody chosen yet'} · ${plural(participantCount, 'pupil')}</p>
<section class="card office-section" id="consent" aria-labelledby="consent-heading">
<h2 id="consent-heading">Photo consent ${participantCount ? gapBadge(gaps.lacking.length) : null}</h2>
${gaps.lacking.length ? html`<p>These children must not appear in shared photos: plan where they stand (for example at the ends of a group, or behind the camera). Their faces will be blurred in parents’ photos.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Children without consent"><table class="office-gaps">
<thead><tr><th scope="col">Name</th><th scope="col">Class</th><th scope="col">Year</th><th scope="col">Photo consent</th></tr></thead>
<tbody>${gaps.lacking.map((p) => html`<tr><td>${req.auth?.user.role === 'admin' ? html`<a href="/office/pupils/${p.id}">${p.lastName}, ${p.firstName}</a>` : `${p.lastName}, ${p.firstName}`}</td><td>${p.className}</td><td>${yearGroupLabel(p.yearGroup)}</td><td>${photoBadge(p.consentState)}</td></tr>`)}</tbody>
</table></div>` : html`<p class="muted">${participantCount ? 'Every child taking part has current photo consent.' : 'Choose who takes part to see who lacks consent.'}</p>`}
</section>
${remindersSection(ctx, req, event.id, started, state.reminder ?? emptyForm({ days: '2', hours: '' }))}
${linkSection(req, event.id, state.link ?? emptyForm({ days: '7' }), state.newLink)}`;
  sendPage(req, res, { title: event.name, body, status, wide: true });
}
