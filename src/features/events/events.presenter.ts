import type { EventRecord, Organiser, ParticipantRow, ParticipantSelection } from './events.repo';
import type { Delivery, DeliveryState, Reminder } from './reminders.repo';

// What leaves the server. Pupil names go to staff only (these routes are staff-only); a parent
// holding an upload link sees the event's name, time and place and nothing about who takes part.

export const presentEvent = (e: EventRecord) => ({ id: e.id, name: e.name, startsAt: e.startsAt, place: e.place, updatedAt: e.updatedAt });

export const presentEventDetail = (d: { event: EventRecord; organisers: Organiser[]; selection: ParticipantSelection; participantCount: number }) => ({
  ...presentEvent(d.event),
  organisers: d.organisers.map((o) => ({ id: o.id, name: o.name })),
  participants: d.selection,
  participantCount: d.participantCount,
});

export const presentEventForLink = (e: EventRecord) => ({ eventId: e.id, name: e.name, startsAt: e.startsAt, place: e.place });

export const presentPupil = (p: ParticipantRow) => ({
  id: p.id, firstName: p.firstName, lastName: p.lastName, className: p.className, yearGroup: p.yearGroup,
});

export const presentConsentGaps = (g: { eventId: number; participantCount: number; lacking: Array<ParticipantRow & { consentState: string; consentReviewOn: string | null }> }) => ({
  eventId: g.eventId,
  participantCount: g.participantCount,
  lackingCount: g.lacking.length,
  lacking: g.lacking.map((p) => ({ ...presentPupil(p), consent: p.consentState, reviewOn: p.consentReviewOn })),
});

export const presentReminder = (r: Reminder, counts: Partial<Record<DeliveryState, number>> = {}) => ({
  id: r.id,
  eventId: r.eventId,
  kind: r.kind,
  minutesBefore: r.offsetMinutes,
  dueAt: r.dueAt,
  status: r.status,
  startedAt: r.startedAt,
  deliveries: { pending: 0, sending: 0, sent: 0, failed: 0, ...counts },
});

export const presentDelivery = (d: Delivery) => ({
  userId: d.userId,
  name: d.name,
  email: d.email,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  reason: d.reason,
  sentAt: d.sentAt,
});
