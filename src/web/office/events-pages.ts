import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import { createEventBody, reminderBody, updateEventBody, uploadLinkBody } from '../../features/events/events.schemas';
import { idParam } from '../../platform/http';
import { renderEventPage } from './events-detail';
import { eventForm, formLists, isoToLondonLocal, reminderForm, uploadLinkForm, type EventFormState } from './events-forms';
import { eventFormBody, eventListBody, formChoices, type EventRow } from './events-view';
import { confirmed, confirmPage } from './confirm';
import { html, type SafeHtml } from '../html';
import { adminOnly, failedForm, formatDateTime, formValues, isAdmin, plural, redirectWithFlash, sendPage, staffOnly } from './shared';

// Organisers' pages for events under /office/events. Admins reach every event and organisers the
// events they organise: every handler goes through the events service, which decides (403/404).

export function eventPages(ctx: AppContext): Router {
  const { events } = ctx;
  const r = Router();
  const eventId = (req: Request) => idParam.parse(req.params.id);
  const user = (req: Request) => req.auth!.user;

  r.get('/office/events', staffOnly, (req, res) => {
    const now = ctx.clock.now().toISOString();
    const rows: EventRow[] = events.list(user(req)).map((event) => ({
      event,
      participantCount: events.get(user(req), event.id).participantCount,
      lackingCount: events.consentGaps(user(req), event.id).lacking.length,
      reminders: events.reminders.list(user(req), event.id),
    }));
    // The repo lists newest first: upcoming read soonest first, past most recent first.
    const upcoming = rows.filter((x) => x.event.startsAt >= now).reverse();
    const past = rows.filter((x) => x.event.startsAt < now);
    sendPage(req, res, { title: 'Events', body: eventListBody(req, upcoming, past), wide: true });
  });

  function renderForm(req: Request, res: Response, form: EventFormState, id: number | null, status = 200, warning?: SafeHtml) {
    const organisers = id === null ? [] : events.get(user(req), id).organisers.map((o) => o.name);
    const body = eventFormBody(req, {
      title: id === null ? 'New event' : 'Edit event',
      action: id === null ? '/office/events' : `/office/events/${id}`,
      cancel: id === null ? '/office/events' : `/office/events/${id}`,
      submit: id === null ? 'Create event' : 'Save changes',
      form,
      choices: formChoices(ctx, req, form, organisers),
      warning,
    });
    sendPage(req, res, { title: id === null ? 'New event' : 'Edit event', body, status });
  }

  /** Submitted values, or a refused form with its messages and what was entered. */
  function parseEvent(req: Request) {
    const values = formValues(req.body);
    const lists = formLists(req.body);
    return { values, lists, parse: () => eventForm.parse({ ...values, ...lists }) };
  }
  const refused = (values: Record<string, string>, lists: EventFormState['lists'], err: unknown): EventFormState =>
    ({ ...failedForm(values, err), lists });

  r.get('/office/events/new', staffOnly, (req, res) => renderForm(req, res, {
    values: {}, errors: {}, lists: { classes: [], yearGroups: [], pupilIds: [], organiserIds: isAdmin(req) ? [] : [String(user(req).id)] },
  }, null));

  r.post('/office/events', staffOnly, (req, res) => {
    const { values, lists, parse } = parseEvent(req);
    let created;
    try {
      const input = createEventBody.parse(parse());
      // A date in the past is most often a typo (the wrong year): asked once before it is saved.
      if (Date.parse(input.startsAt) < ctx.clock.now().getTime() && values.pastOk !== 'yes') {
        return renderForm(req, res, { values, errors: {}, lists }, null, 409, html`<div class="alert alert-warn" role="alert" id="past-event"><p><strong>This date is in the past: ${formatDateTime(input.startsAt)}.</strong> Check the day and the year. Reminders are not sent for events that have already happened.</p>
<div class="choice"><input type="checkbox" id="past-ok" name="pastOk" value="yes"><label for="past-ok">The date is right: the event has already happened</label></div></div>`);
      }
      created = events.create(user(req), input);
    } catch (err) {
      return renderForm(req, res, refused(values, lists, err), null, 400);
    }
    redirectWithFlash(res, `/office/events/${created.event.id}`,
      `${created.event.name} was created with ${plural(created.participantCount, 'pupil')} taking part.`);
  });

  r.get('/office/events/:id', staffOnly, (req, res) => renderEventPage(ctx, req, res, eventId(req)));

  r.get('/office/events/:id/edit', staffOnly, (req, res) => {
    const { event, organisers, selection } = events.get(user(req), eventId(req));
    renderForm(req, res, {
      values: { name: event.name, startsAt: isoToLondonLocal(event.startsAt), place: event.place },
      errors: {},
      lists: {
        classes: selection.classes, yearGroups: selection.yearGroups,
        pupilIds: selection.pupilIds.map(String), organiserIds: organisers.map((o) => String(o.id)),
      },
    }, event.id);
  });

  r.post('/office/events/:id', staffOnly, (req, res) => {
    const id = events.accessibleEvent(user(req), eventId(req)).id;
    const { values, lists, parse } = parseEvent(req);
    let saved;
    try {
      const { organiserIds, ...rest } = parse();
      // Only the office chooses organisers; an organiser's edit leaves them as they are.
      saved = events.update(user(req), id, updateEventBody.parse(isAdmin(req) ? { ...rest, organiserIds } : rest));
    } catch (err) {
      return renderForm(req, res, refused(values, lists, err), id, 400);
    }
    redirectWithFlash(res, `/office/events/${id}`, `${saved.event.name} was saved.`);
  });

  r.post('/office/events/:id/reminders', staffOnly, (req, res) => {
    const id = events.accessibleEvent(user(req), eventId(req)).id;
    const values = formValues(req.body);
    let message: string;
    try {
      const reminder = events.reminders.schedule(user(req), id, reminderBody.parse(reminderForm.parse(values)));
      message = `Reminder scheduled for ${formatDateTime(reminder.dueAt)}.`;
    } catch (err) {
      return renderEventPage(ctx, req, res, id, { reminder: failedForm(values, err) }, 400);
    }
    redirectWithFlash(res, `/office/events/${id}#reminders`, message);
  });

  r.post('/office/events/:id/reminders/:rid/cancel', staffOnly, (req, res) => {
    const id = eventId(req);
    events.reminders.cancel(user(req), id, idParam.parse(req.params.rid));
    redirectWithFlash(res, `/office/events/${id}#reminders`, 'The reminder was cancelled.');
  });

  r.post('/office/events/:id/reminders/:rid/resend-failed', staffOnly, (req, res) => {
    const id = eventId(req);
    const queued = events.reminders.resendFailed(user(req), id, idParam.parse(req.params.rid));
    redirectWithFlash(res, `/office/events/${id}#reminders`,
      queued ? `${plural(queued, 'failed email')} will be sent again.` : 'There were no failed emails to send again.');
  });

  r.post('/office/events/:id/guidance/send', adminOnly, (req, res) => {
    const id = eventId(req);
    if (!confirmed(req)) {
      const event = events.accessibleEvent(user(req), id);
      return confirmPage(req, res, {
        title: 'Send the guidance now?', confirmLabel: 'Yes, send it now', cancelHref: `/office/events/${id}#reminders`,
        message: `The photo guidance for ${event.name} will be e-mailed now to every parent of the children taking part. This cannot be undone.`,
      });
    }
    events.reminders.sendGuidanceNow(user(req), id);
    redirectWithFlash(res, `/office/events/${id}#reminders`, 'The guidance is being sent to the parents now.');
  });

  // The link is shown in this response only (no redirect): it is a secret, and is never stored readable.
  r.post('/office/events/:id/upload-link', staffOnly, (req, res) => {
    const id = events.accessibleEvent(user(req), eventId(req)).id;
    const values = formValues(req.body);
    let link;
    try {
      link = events.createUploadLink(user(req), id, uploadLinkBody.parse(uploadLinkForm.parse(values)).days);
    } catch (err) {
      return renderEventPage(ctx, req, res, id, { link: failedForm(values, err) }, 400);
    }
    renderEventPage(ctx, req, res, id, { newLink: link });
  });

  return r;
}
