import { Router } from 'express';
import type { AppContext } from '../../context';
import { idParam } from '../../platform/http';
import { notFound } from '../../platform/errors';
import { currentUser, requireRole, requireUser } from '../accounts/auth.middleware';
import { eventsOpenApi } from './events.openapi';
import * as p from './events.presenter';
import * as s from './events.schemas';

const staff = requireRole('admin', 'organiser');

/** /api routes for events, participants, upload links, reminders and the photo guidance. */
export function eventsRoutes(ctx: AppContext): Router {
  const { events } = ctx;
  eventsOpenApi();
  const r = Router();
  const eventId = (params: { id?: unknown }) => idParam.parse(params.id);

  r.get('/events', staff, (req, res) => {
    res.json({ events: events.list(currentUser(req)).map(p.presentEvent) });
  });

  r.post('/events', staff, (req, res) => {
    res.status(201).json(p.presentEventDetail(events.create(currentUser(req), s.createEventBody.parse(req.body))));
  });

  r.get('/events/:id', staff, (req, res) => {
    res.json(p.presentEventDetail(events.get(currentUser(req), eventId(req.params))));
  });

  r.patch('/events/:id', staff, (req, res) => {
    res.json(p.presentEventDetail(events.update(currentUser(req), eventId(req.params), s.updateEventBody.parse(req.body))));
  });

  r.get('/events/:id/participants', staff, (req, res) => {
    res.json({ participants: events.participants(currentUser(req), eventId(req.params)).map(p.presentPupil) });
  });

  r.get('/events/:id/consent-gaps', staff, (req, res) => {
    res.json(p.presentConsentGaps(events.consentGaps(currentUser(req), eventId(req.params))));
  });

  r.post('/events/:id/upload-link', staff, (req, res) => {
    const { days } = s.uploadLinkBody.parse(req.body ?? {});
    res.status(201).json(events.createUploadLink(currentUser(req), eventId(req.params), days));
  });

  r.get('/event-links/:token', requireUser, (req, res) => {
    const token = s.linkToken.safeParse(req.params.token);
    if (!token.success) throw notFound('upload link');
    res.json(p.presentEventForLink(events.eventForLink(token.data)));
  });

  r.get('/events/:id/reminders', staff, (req, res) => {
    const list = events.reminders.list(currentUser(req), eventId(req.params));
    res.json({ reminders: list.map((x) => p.presentReminder(x.reminder, x.counts)) });
  });

  r.post('/events/:id/reminders', staff, (req, res) => {
    const offset = s.reminderBody.parse(req.body ?? {});
    res.status(201).json(p.presentReminder(events.reminders.schedule(currentUser(req), eventId(req.params), offset)));
  });

  r.delete('/events/:id/reminders/:rid', staff, (req, res) => {
    events.reminders.cancel(currentUser(req), eventId(req.params), idParam.parse(req.params.rid));
    res.status(204).end();
  });

  r.get('/events/:id/reminders/:rid/deliveries', staff, (req, res) => {
    const list = events.reminders.deliveries(currentUser(req), eventId(req.params), idParam.parse(req.params.rid));
    res.json({ deliveries: list.map(p.presentDelivery) });
  });

  r.post('/events/:id/reminders/:rid/resend-failed', staff, (req, res) => {
    const queued = events.reminders.resendFailed(currentUser(req), eventId(req.params), idParam.parse(req.params.rid));
    res.status(202).json({ queued });
  });

  r.post('/events/:id/guidance/send', requireRole('admin'), (req, res) => {
    res.status(202).json(p.presentReminder(events.reminders.sendGuidanceNow(currentUser(req), eventId(req.params))));
  });

  // Staff may read the guidance (it is public on /guidance anyway); only the office changes it.
  r.get('/settings/guidance', staff, (_req, res) => {
    const g = events.guidance.read();
    res.json({ guidance: g.text, isDefault: g.isDefault });
  });

  r.put('/settings/guidance', requireRole('admin'), (req, res) => {
    const g = events.updateGuidance(currentUser(req).id, s.guidanceBody.parse(req.body).guidance);
    res.json({ guidance: g.text, isDefault: g.isDefault });
  });

  return r;
}
