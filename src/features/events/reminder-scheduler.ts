import type { Audit } from '../audit/audit.service';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Mailer } from '../../platform/mailer';
import type { EventRecord, EventsRepo } from './events.repo';
import type { UploadLink } from './events.service';
import type { GuidanceStore } from './guidance';
import { composeReminder } from './reminder-message';
import { classifySendError, MAX_ATTEMPTS, retryDelayMs } from './reminder-schedule';
import type { Delivery, RemindersRepo } from './reminders.repo';

export interface SchedulerDeps {
  reminders: RemindersRepo;
  events: EventsRepo;
  guidance: GuidanceStore;
  linkForMailing(event: EventRecord): UploadLink;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  schoolName: string;
  intervalMs?: number;
  /** A fresh invitation link for a recipient who has not set a password (the check link needs one). */
  invitationFor?: (userId: number) => string;
  audit?: Audit;
}

export interface RunSummary {
  interrupted: number;
  started: number;
  sent: number;
  retrying: number;
  failed: number;
}

const emptySummary = (): RunSummary => ({ interrupted: 0, started: 0, sent: 0, retrying: 0, failed: 0 });

export type ReminderScheduler = ReturnType<typeof createReminderScheduler>;

/** Sends reminders from the database, so a restart loses nothing. A delivery is marked 'sending'
 *  (committed) before the SMTP call; a row still 'sending' when a new scheduler starts had an
 *  unknown outcome, so it becomes failed('interrupted') for an organiser to resend: at most once. */
export function createReminderScheduler(d: SchedulerDeps) {
  const nowIso = () => d.clock.now().toISOString();
  let recovered = false;
  let running: Promise<RunSummary> | null = null;
  let rerun = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  // One upload link per event and start time per scheduler run of mailings: tokens are stored
  // hashed, so a restart simply issues a fresh link.
  const links = new Map<string, UploadLink>();

  function linkFor(event: EventRecord): UploadLink {
    const key = `${event.id}@${event.startsAt}`;
    const cached = links.get(key);
    if (cached && cached.expiresAt > nowIso()) return cached;
    const link = d.linkForMailing(event);
    links.set(key, link);
    return link;
  }

  function startDueReminders(summary: RunSummary) {
    for (const r of d.reminders.due(nowIso())) {
      const pupilIds = [...d.events.participantIds(r.eventId)];
      const recipients = d.reminders.start(r.id, pupilIds, nowIso());
      if (recipients === null) continue;
      summary.started += 1;
      d.audit?.record('reminder.started', { subjectType: 'event', subjectId: r.eventId, details: { reminderId: r.id, kind: r.kind, recipients } });
      d.logger.info({ reminderId: r.id, eventId: r.eventId, recipients }, 'reminder started');
    }
  }

  async function deliver(row: Delivery, summary: RunSummary) {
    const attempt = row.attempts + 1;
    let messageId: string;
    try {
      const reminder = d.reminders.byId(row.reminderId)!;
      const event = d.events.byId(reminder.eventId)!;
      const link = linkFor(event);
      const message = composeReminder({
        schoolName: d.schoolName, parentName: row.name, event, guidance: d.guidance.read().text,
        uploadUrl: link.url, uploadExpiresAt: link.expiresAt, guidanceUrl: `${d.publicUrl}/guidance`,
        invitationUrl: row.invitationPending && d.invitationFor ? d.invitationFor(row.userId) : undefined,
      });
      ({ messageId } = await d.mailer.send({ to: row.email, ...message }));
    } catch (err) {
      const failure = classifySendError(err);
      if (failure.transient && attempt < MAX_ATTEMPTS) {
        const at = new Date(d.clock.now().getTime() + retryDelayMs(attempt)).toISOString();
        d.reminders.retryLater(row.id, failure.reason, at, nowIso());
        summary.retrying += 1;
      } else {
        const reason = failure.transient ? `gave up after ${attempt} attempts: ${failure.reason}` : failure.reason;
        d.reminders.markFailed(row.id, reason, nowIso());
        summary.failed += 1;
      }
      d.logger.warn({ deliveryId: row.id, reminderId: row.reminderId, attempt, transient: failure.transient }, 'reminder delivery failed');
      return;
    }
    // Outside the try on purpose: the message has gone. If recording that fails, the row stays
    // 'sending' and is reported as interrupted, never retried into a second copy.
    d.reminders.markSent(row.id, messageId, nowIso());
    summary.sent += 1;
  }

  async function runOnce(summary: RunSummary) {
    if (!recovered) {
      summary.interrupted += d.reminders.failInterrupted(nowIso());
      recovered = true;
    }
    startDueReminders(summary);
    for (let row = d.reminders.nextDue(nowIso()); row && !stopping; row = d.reminders.nextDue(nowIso())) {
      if (d.reminders.claim(row.id, nowIso())) await deliver(row, summary);
    }
  }

  /** Starts due reminders and sends due deliveries. Concurrent calls share one run (and a call
   *  during a run asks for another pass, so work added meanwhile is not left for the next tick). */
  function runDue(): Promise<RunSummary> {
    if (running) {
      rerun = true;
      return running;
    }
    running = (async () => {
      const summary = emptySummary();
      do {
        rerun = false;
        await runOnce(summary);
      } while (rerun && !stopping);
      if (summary.sent || summary.failed || summary.interrupted) d.logger.info({ ...summary }, 'reminder run finished');
      return summary;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const tick = () => {
    runDue().catch((err: unknown) => d.logger.error({ err }, 'reminder run failed'));
  };

  return {
    runDue,
    /** Kicks off a run without waiting (e.g. after "send now"). */
    nudge: tick,
    start() {
      stopping = false;
      tick();
      timer = setInterval(tick, d.intervalMs ?? 30_000);
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
