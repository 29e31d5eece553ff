import type { Clock } from '../../platform/clock';
import { notFound, unprocessable } from '../../platform/errors';
import type { User } from '../accounts/accounts.repo';
import type { Audit } from '../audit/audit.service';
import type { EventsService } from './events.service';
import type { ReminderScheduler } from './reminder-scheduler';
import { offsetMinutes, reminderDueAt, type ReminderOffset } from './reminder-schedule';
import type { Reminder, RemindersRepo } from './reminders.repo';

export interface RemindersDeps {
  repo: RemindersRepo;
  events: EventsService;
  scheduler: ReminderScheduler;
  clock: Clock;
  audit: Audit;
}

export type RemindersService = ReturnType<typeof createRemindersService>;

export function createRemindersService(d: RemindersDeps) {
  const { repo } = d;
  const nowIso = () => d.clock.now().toISOString();

  function reminderOf(user: User, eventId: number, reminderId: number): Reminder {
    d.events.accessibleEvent(user, eventId);
    const reminder = repo.byId(reminderId);
    if (!reminder || reminder.eventId !== eventId) throw notFound('reminder');
    return reminder;
  }

  return {
    schedule(actor: User, eventId: number, offset: ReminderOffset): Reminder {
      const event = d.events.accessibleEvent(actor, eventId);
      const minutes = offsetMinutes(offset);
      const due = reminderDueAt(new Date(event.startsAt), minutes, d.clock.now());
      if (!due) throw unprocessable('event_started', 'This event has already started; send the guidance now instead.');
      const id = repo.insert({ eventId, kind: 'scheduled', offsetMinutes: minutes, dueAt: due.toISOString(), createdBy: actor.id }, nowIso());
      d.audit.record('reminder.scheduled', { actorId: actor.id, subjectType: 'event', subjectId: eventId, details: { reminderId: id, minutes } });
      return repo.byId(id)!;
    },

    list(user: User, eventId: number) {
      d.events.accessibleEvent(user, eventId);
      const counts = repo.countsOfEvent(eventId);
      return repo.ofEvent(eventId).map((r) => ({ reminder: r, counts: counts.get(r.id) ?? {} }));
    },

    cancel(actor: User, eventId: number, reminderId: number) {
      reminderOf(actor, eventId, reminderId);
      if (!repo.cancel(reminderId)) throw unprocessable('reminder_started', 'This reminder is already being sent and cannot be cancelled.');
      d.audit.record('reminder.cancelled', { actorId: actor.id, subjectType: 'event', subjectId: eventId, details: { reminderId } });
    },

    deliveries(user: User, eventId: number, reminderId: number) {
      reminderOf(user, eventId, reminderId);
      return repo.deliveries(reminderId);
    },

    /** Failed deliveries (including interrupted ones) go back to pending, with fresh attempts. */
    resendFailed(actor: User, eventId: number, reminderId: number): number {
      reminderOf(actor, eventId, reminderId);
      const count = repo.resendFailed(reminderId, nowIso());
      d.audit.record('reminder.resend_failed', { actorId: actor.id, subjectType: 'event', subjectId: eventId, details: { reminderId, count } });
      if (count) d.scheduler.nudge();
      return count;
    },

    /** The office sends the guidance to the event's parents now, whatever the date. */
    sendGuidanceNow(actor: User, eventId: number): Reminder {
      d.events.accessibleEvent(actor, eventId);
      const id = repo.insert({ eventId, kind: 'on_demand', offsetMinutes: null, dueAt: nowIso(), createdBy: actor.id }, nowIso());
      d.audit.record('reminder.sent_on_demand', { actorId: actor.id, subjectType: 'event', subjectId: eventId, details: { reminderId: id } });
      d.scheduler.nudge();
      return repo.byId(id)!;
    },

    /** Keeps not-yet-started reminders the same time before an event that moved. */
    reschedule(eventId: number, startsAt: string) {
      for (const r of repo.scheduledOf(eventId)) {
        if (r.offsetMinutes === null) continue;
        const due = reminderDueAt(new Date(startsAt), r.offsetMinutes, d.clock.now());
        // An event moved into the past gets no surprise "reminder"; the office can send the guidance on demand.
        if (due) repo.setDue(r.id, due.toISOString());
        else repo.cancel(r.id);
      }
    },
  };
}
