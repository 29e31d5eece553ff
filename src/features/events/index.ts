import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { Mailer } from '../../platform/mailer';
import type { Audit } from '../audit/audit.service';
import type { PhotoDecision } from '../register/consent-rules';
import { eventsRepo } from './events.repo';
import { createEventsService } from './events.service';
import { guidanceStore } from './guidance';
import { createReminderScheduler } from './reminder-scheduler';
import { remindersRepo } from './reminders.repo';
import { createRemindersService } from './reminders.service';

export interface EventsFeatureDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  schoolName: string;
  /** The register's photo-sharing decision per pupil, for "who lacks consent". */
  photoConsent?: (pupilIds: number[]) => Map<number, PhotoDecision>;
  /** How often the reminder scheduler looks for due work (default 30 s). */
  reminderIntervalMs?: number;
  /** A fresh invitation link for a reminder to a parent who has not set a password. */
  invitationFor?: (userId: number) => string;
}

export type EventsFeature = ReturnType<typeof createEventsFeature>;

/** Wires events, guidance, reminders and the scheduler; the app context exposes this as `events`. */
export function createEventsFeature(d: EventsFeatureDeps) {
  const repo = eventsRepo(d.db);
  const reminderRepo = remindersRepo(d.db);
  const guidance = guidanceStore(d.db);
  const service = createEventsService({
    repo, clock: d.clock, audit: d.audit, publicUrl: d.publicUrl, photoConsent: d.photoConsent,
    onStartsAtChanged: (eventId, startsAt) => reminders.reschedule(eventId, startsAt),
  });
  const scheduler = createReminderScheduler({
    reminders: reminderRepo, events: repo, guidance, linkForMailing: service.linkForMailing,
    mailer: d.mailer, clock: d.clock, logger: d.logger, publicUrl: d.publicUrl, schoolName: d.schoolName,
    intervalMs: d.reminderIntervalMs, invitationFor: d.invitationFor, audit: d.audit,
  });
  const reminders = createRemindersService({ repo: reminderRepo, events: service, scheduler, clock: d.clock, audit: d.audit });
  return {
    ...service,
    guidance,
    reminders,
    scheduler,
    updateGuidance(actorId: number, text: string | null) {
      const saved = guidance.write(text);
      d.audit.record('settings.guidance_updated', { actorId, details: { isDefault: saved.isDefault, length: saved.text.length } });
      return saved;
    },
  };
}
