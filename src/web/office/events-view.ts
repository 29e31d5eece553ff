import type { Request } from 'express';
import type { AppContext } from '../../context';
import type { User } from '../../features/accounts/accounts.repo';
import type { EventRecord } from '../../features/events/events.repo';
import type { Reminder } from '../../features/events/reminders.repo';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { errorSummary, textField } from './fields';
import type { EventFormState, ListField } from './events-forms';
import { YEAR_GROUP_OPTIONS } from './forms';
import { formatDateTime, isAdmin, plural } from './shared';

// The events list and the event form (shared by "new" and "edit").

export interface EventRow {
  event: EventRecord;
  participantCount: number;
  lackingCount: number;
  reminders: Array<{ reminder: Reminder; counts: Partial<Record<string, number>> }>;
}

/** One line about an event's reminders: the next one due, else how the last one went. */
export function reminderSummary(reminders: EventRow['reminders']): SafeHtml {
  const next = reminders.find((r) => r.reminder.status === 'scheduled');
  if (next) return html`<span class="badge badge-neutral">Due ${formatDateTime(next.reminder.dueAt)}</span>`;
  const started = reminders.filter((r) => r.reminder.status === 'started').at(-1);
  if (!started) return html`<span class="muted">None</span>`;
  const c = started.counts;
  const total = (c.pending ?? 0) + (c.sending ?? 0) + (c.sent ?? 0) + (c.failed ?? 0);
  return html`<span class="badge badge-ok">Sent ${c.sent ?? 0} of ${total}</span>${c.failed ? html` <span class="badge badge-bad">${c.failed} failed</span>` : null}`;
}

export const gapBadge = (lacking: number): SafeHtml => (lacking === 0
  ? html`<span class="badge badge-ok">All consented</span>`
  : html`<span class="badge badge-warn">${plural(lacking, 'without consent', 'without consent')}</span>`);

function eventTable(rows: EventRow[], caption: string): SafeHtml {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Events"><table class="office-events">
<caption>${caption}</caption>
<thead><tr><th scope="col">Event</th><th scope="col">When</th><th scope="col">Place</th><th scope="col">Taking part</th>
<th scope="col">Photo consent</th><th scope="col">Reminders</th></tr></thead>
<tbody>${rows.map((r) => html`<tr>
<td><a href="/office/events/${r.event.id}">${r.event.name}</a></td>
<td class="nowrap">${formatDateTime(r.event.startsAt)}</td>
<td>${r.event.place}</td>
<td>${plural(r.participantCount, 'pupil')}</td>
<td>${r.participantCount ? gapBadge(r.lackingCount) : html`<span class="muted">–</span>`}</td>
<td>${reminderSummary(r.reminders)}</td>
</tr>`)}</tbody></table></div>`;
}

export function eventListBody(req: Request, upcoming: EventRow[], past: EventRow[]): SafeHtml {
  const none = upcoming.length + past.length === 0;
  return html`<div class="office-heading"><h1>Events</h1><a class="button" href="/office/events/new">New event</a></div>
${isAdmin(req) ? null : html`<p class="muted">You see the events you organise.</p>`}
${none ? html`<p class="empty">No events yet. Create one to plan photos, send the guidance and give parents an upload link.</p>` : null}
${upcoming.length ? eventTable(upcoming, 'Upcoming') : none ? null : html`<p class="empty">No upcoming events.</p>`}
${past.length ? eventTable(past, 'Past') : null}`;
}

export interface EventFormChoices {
  classes: Array<{ className: string; yearGroup: string; pupils: number }>;
  pupils: Array<[id: string, label: string]>;
  /** Staff who may organise; null when the person filling the form may not choose (organisers). */
  staff: User[] | null;
  currentOrganisers: string[];
}

/** The register's choices for the event form, keeping chosen values the register no longer has. */
export function formChoices(ctx: AppContext, req: Request, form: EventFormState, currentOrganisers: string[]): EventFormChoices {
  const classes = ctx.register.classes();
  for (const c of form.lists.classes) {
    if (!classes.some((k) => k.className.toLowerCase() === c.toLowerCase())) classes.push({ className: c, yearGroup: '', pupils: 0 });
  }
  const pupils = ctx.register.registerRows().filter((r) => r.pupil.status === 'on_roll' || form.lists.pupilIds.includes(String(r.pupil.id)))
    .map((r): [string, string] => [String(r.pupil.id), `${r.pupil.lastName}, ${r.pupil.firstName} (${r.pupil.className})`])
    .sort((a, b) => a[1].localeCompare(b[1]));
  const staff = isAdmin(req)
    ? [...ctx.accounts.repo.listUsers('admin', null), ...ctx.accounts.repo.listUsers('organiser', null)]
      .filter((u) => u.status === 'active').sort((a, b) => a.name.localeCompare(b.name))
    : null;
  return { classes, pupils, staff, currentOrganisers };
}

function choices(form: EventFormState, field: ListField, legend: string, options: Array<[string, string]>, hint?: string): SafeHtml {
  const chosen = new Set(form.lists[field].map((v) => v.toLowerCase()));
  const error = form.errors[field];
  return html`<fieldset class="field office-choices-field${error ? ' field-invalid' : ''}"><legend>${legend}</legend>
${hint ? html`<p class="hint">${hint}</p>` : null}
${error ? html`<p class="field-error">${error}</p>` : null}
${options.length ? html`<div class="office-choices">${options.map(([v, label], i) => html`<div class="choice"><input type="checkbox" id="ev-${field}-${i}" name="${field}" value="${v}"${chosen.has(v.toLowerCase()) ? html` checked` : null}><label for="ev-${field}-${i}">${label}</label></div>`)}</div>`
    : html`<p class="muted">None in the register yet.</p>`}
</fieldset>`;
}

function pupilSelect(form: EventFormState, pupils: Array<[string, string]>): SafeHtml {
  const chosen = new Set(form.lists.pupilIds);
  const error = form.errors.pupilIds;
  return html`<div class="field${error ? ' field-invalid' : ''}">
<label for="ev-pupilIds">Individual pupils <span class="optional">(optional)</span></label>
<p class="hint" id="ev-pupilIds-hint">For children outside the chosen classes and year groups. Hold Ctrl (Cmd on a Mac) to choose several.</p>
${error ? html`<p class="field-error">${error}</p>` : null}
<select id="ev-pupilIds" name="pupilIds" multiple size="8" aria-describedby="ev-pupilIds-hint">
${pupils.map(([v, label]) => html`<option value="${v}"${chosen.has(v) ? html` selected` : null}>${label}</option>`)}
</select></div>`;
}

/** The event form; `action` is /office/events for a new event or /office/events/:id for an edit. */
export function eventFormBody(req: Request, o: { title: string; action: string; cancel: string; submit: string; form: EventFormState; choices: EventFormChoices; warning?: SafeHtml }): SafeHtml {
  const { form, choices: c } = o;
  return html`<p class="breadcrumbs"><a href="/office/events">Events</a></p>
<h1>${o.title}</h1>
<form class="card office-form office-event-form" method="post" action="${o.action}" novalidate>
${csrfField(req)}
${errorSummary(form)}
${o.warning ?? null}
${textField({ form, idPrefix: 'ev', name: 'name', label: 'Name', required: true, max: 200, hint: 'For example “Year 3 sports day”.' })}
<div class="office-field-row">
${dateTimeField(form)}
${textField({ form, idPrefix: 'ev', name: 'place', label: 'Place', required: true, max: 200, hint: 'For example “School hall”.' })}
</div>
<h2>Who takes part</h2>
${choices(form, 'classes', 'Classes', c.classes.map((k): [string, string] => [k.className, k.pupils ? `${k.className} (${plural(k.pupils, 'pupil')})` : k.className]))}
${choices(form, 'yearGroups', 'Year groups', YEAR_GROUP_OPTIONS)}
${pupilSelect(form, c.pupils)}
<h2>Organisers</h2>
${c.staff ? choices(form, 'organiserIds', 'Organisers', c.staff.map((u): [string, string] => [String(u.id), `${u.name} (${u.role === 'admin' ? 'office' : 'organiser'})`]),
    'Organisers see and manage this event; the office sees every event.')
    : html`<p>${c.currentOrganisers.length ? c.currentOrganisers.join(', ') : 'You'} <span class="muted">· you stay an organiser; the school office can add others.</span></p>`}
<div class="actions"><button type="submit" class="button">${o.submit}</button> <a href="${o.cancel}">Cancel</a></div>
</form>`;
}

function dateTimeField(form: EventFormState): SafeHtml {
  const error = form.errors.startsAt;
  return html`<div class="field${error ? ' field-invalid' : ''}">
<label for="ev-startsAt">Date and time</label>
<p class="hint" id="ev-startsAt-hint">UK time.</p>
${error ? html`<p class="field-error" id="ev-startsAt-error">${error}</p>` : null}
<input id="ev-startsAt" name="startsAt" type="datetime-local" value="${form.values.startsAt ?? ''}" required aria-describedby="ev-startsAt-hint${error ? ' ev-startsAt-error' : ''}"${error ? html` aria-invalid="true"` : null}>
</div>`;
}
