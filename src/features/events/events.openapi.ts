import { ADMIN, ANY, registerEndpoints, STAFF, type Endpoint } from '../../openapi';
import * as s from './events.schemas';

const tag = 'events';

const endpoints: Endpoint[] = [
  { method: 'get', path: '/api/events', summary: 'Events you organise (all events for admins)', tag, roles: STAFF, ok: 200 },
  { method: 'post', path: '/api/events', summary: 'Create an event with its participants', tag, roles: STAFF, body: s.createEventBody, ok: 201 },
  { method: 'get', path: '/api/events/{id}', summary: 'An event with its participants and organisers', tag, roles: STAFF, ok: 200 },
  { method: 'patch', path: '/api/events/{id}', summary: 'Change an event', tag, roles: STAFF, body: s.updateEventBody, ok: 200 },
  { method: 'get', path: '/api/events/{id}/participants', summary: 'The pupils taking part', tag, roles: STAFF, ok: 200 },
  { method: 'get', path: '/api/events/{id}/consent-gaps', summary: 'Participants without current photo-sharing consent', tag, roles: STAFF, ok: 200 },
  { method: 'post', path: '/api/events/{id}/upload-link', summary: 'An expiring upload link for parents', tag, roles: STAFF, body: s.uploadLinkBody, ok: 201 },
  { method: 'get', path: '/api/event-links/{token}', summary: 'The event an upload link is for', tag, roles: ANY, ok: 200 },
  { method: 'get', path: '/api/events/{id}/reminders', summary: 'Reminder e-mails for an event', tag, roles: STAFF, ok: 200 },
  { method: 'post', path: '/api/events/{id}/reminders', summary: 'Schedule a reminder (default two days before)', tag, roles: STAFF, body: s.reminderBody, ok: 201 },
  { method: 'delete', path: '/api/events/{id}/reminders/{rid}', summary: 'Cancel a scheduled reminder', tag, roles: STAFF, ok: 204 },
  { method: 'get', path: '/api/events/{id}/reminders/{rid}/deliveries', summary: 'Who a reminder was sent to, and failures', tag, roles: STAFF, ok: 200 },
  { method: 'post', path: '/api/events/{id}/reminders/{rid}/resend-failed', summary: 'Send a reminder again to the addresses that failed', tag, roles: STAFF, ok: 202 },
  { method: 'post', path: '/api/events/{id}/guidance/send', summary: 'Send the photo guidance to the event\'s parents now', tag, roles: ADMIN, ok: 202 },
  { method: 'get', path: '/api/settings/guidance', summary: 'The school\'s photo guidance', tag: 'settings', roles: STAFF, ok: 200 },
  { method: 'put', path: '/api/settings/guidance', summary: 'Change the photo guidance (null restores the default)', tag: 'settings', roles: ADMIN, body: s.guidanceBody, ok: 200 },
];

export const eventsOpenApi = () => registerEndpoints(endpoints);
