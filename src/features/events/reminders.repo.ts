import type { Db } from '../../platform/db';

export type ReminderKind = 'scheduled' | 'on_demand';
export type ReminderStatus = 'scheduled' | 'started' | 'cancelled';
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed';

export interface Reminder {
  id: number;
  eventId: number;
  kind: ReminderKind;
  offsetMinutes: number | null;
  dueAt: string;
  status: ReminderStatus;
  createdBy: number | null;
  createdAt: string;
  startedAt: string | null;
}

export interface Delivery {
  id: number;
  reminderId: number;
  userId: number;
  name: string;
  email: string;
  /** The recipient has not set a password yet (an imported parent): the reminder carries an invitation. */
  invitationPending: boolean;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  reason: string | null;
  sentAt: string | null;
}

interface ReminderRow {
  id: number; event_id: number; kind: ReminderKind; offset_minutes: number | null; due_at: string; status: ReminderStatus;
  created_by: number | null; created_at: string; started_at: string | null;
}
interface DeliveryRow {
  id: number; reminder_id: number; user_id: number; name: string; email: string; invitation_pending: number; state: DeliveryState; attempts: number;
  next_attempt_at: string | null; reason: string | null; sent_at: string | null;
}

const toReminder = (r: ReminderRow): Reminder => ({
  id: r.id, eventId: r.event_id, kind: r.kind, offsetMinutes: r.offset_minutes, dueAt: r.due_at, status: r.status,
  createdBy: r.created_by, createdAt: r.created_at, startedAt: r.started_at,
});
const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id, reminderId: r.reminder_id, userId: r.user_id, name: r.name, email: r.email, invitationPending: r.invitation_pending === 1, state: r.state, attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at, reason: r.reason, sentAt: r.sent_at,
});

const DELIVERY_SELECT = `SELECT d.*, u.name, u.email, u.password_hash IS NULL AS invitation_pending FROM reminder_deliveries d JOIN users u ON u.id = d.user_id`;

/** Prepared SQL for reminders and their per-recipient deliveries. */
export function remindersRepo(db: Db) {
  const q = {
    insert: db.prepare('INSERT INTO event_reminders (event_id, kind, offset_minutes, due_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    byId: db.prepare<[number], ReminderRow>('SELECT * FROM event_reminders WHERE id = ?'),
    ofEvent: db.prepare<[number], ReminderRow>('SELECT * FROM event_reminders WHERE event_id = ? ORDER BY due_at, id'),
    counts: db.prepare<[number], { reminder_id: number; state: DeliveryState; n: number }>(
      `SELECT d.reminder_id, d.state, COUNT(*) AS n FROM reminder_deliveries d JOIN event_reminders r ON r.id = d.reminder_id
        WHERE r.event_id = ? GROUP BY d.reminder_id, d.state`),
    scheduledOf: db.prepare<[number], ReminderRow>("SELECT * FROM event_reminders WHERE event_id = ? AND status = 'scheduled'"),
    setDue: db.prepare('UPDATE event_reminders SET due_at = ? WHERE id = ?'),
    cancel: db.prepare("UPDATE event_reminders SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'"),
    due: db.prepare<[string], ReminderRow>("SELECT * FROM event_reminders WHERE status = 'scheduled' AND due_at <= ? ORDER BY due_at, id"),
    start: db.prepare("UPDATE event_reminders SET status = 'started', started_at = ? WHERE id = ? AND status = 'scheduled'"),
    // Parents (guardians) of the participants, resolved when the reminder starts; one row per person.
    expand: db.prepare(`INSERT OR IGNORE INTO reminder_deliveries (reminder_id, user_id, state, next_attempt_at, updated_at)
      SELECT DISTINCT @reminderId, g.user_id, 'pending', @now, @now
        FROM guardians g JOIN users u ON u.id = g.user_id
       WHERE u.status = 'active' AND g.pupil_id IN (SELECT value FROM json_each(@pupilIds))`),
    deliveries: db.prepare<[number], DeliveryRow>(`${DELIVERY_SELECT} WHERE d.reminder_id = ? ORDER BY u.name, d.id`),
    nextDue: db.prepare<[string], DeliveryRow>(
      `${DELIVERY_SELECT} WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT 1`),
    claim: db.prepare("UPDATE reminder_deliveries SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'"),
    markSent: db.prepare("UPDATE reminder_deliveries SET state = 'sent', message_id = ?, sent_at = ?, reason = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?"),
    retryLater: db.prepare("UPDATE reminder_deliveries SET state = 'pending', reason = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?"),
    markFailed: db.prepare("UPDATE reminder_deliveries SET state = 'failed', reason = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?"),
    interrupt: db.prepare(`UPDATE reminder_deliveries SET state = 'failed', reason = 'interrupted', next_attempt_at = NULL, updated_at = ?
      WHERE state = 'sending'`),
    resendFailed: db.prepare(`UPDATE reminder_deliveries SET state = 'pending', attempts = 0, reason = NULL, next_attempt_at = ?, updated_at = ?
      WHERE reminder_id = ? AND state = 'failed'`),
  };

  return {
    insert: (r: { eventId: number; kind: ReminderKind; offsetMinutes: number | null; dueAt: string; createdBy: number | null }, now: string) =>
      Number(q.insert.run(r.eventId, r.kind, r.offsetMinutes, r.dueAt, r.createdBy, now).lastInsertRowid),
    byId: (id: number) => {
      const r = q.byId.get(id);
      return r ? toReminder(r) : undefined;
    },
    ofEvent: (eventId: number) => q.ofEvent.all(eventId).map(toReminder),
    /** Delivery counts per reminder of an event: reminderId -> state -> count. */
    countsOfEvent: (eventId: number) => {
      const out = new Map<number, Partial<Record<DeliveryState, number>>>();
      for (const r of q.counts.all(eventId)) out.set(r.reminder_id, { ...out.get(r.reminder_id), [r.state]: r.n });
      return out;
    },
    scheduledOf: (eventId: number) => q.scheduledOf.all(eventId).map(toReminder),
    setDue: (id: number, dueAt: string) => q.setDue.run(dueAt, id),
    cancel: (id: number) => q.cancel.run(id).changes === 1,
    due: (now: string) => q.due.all(now).map(toReminder),
    /** Marks the reminder started and creates its deliveries in one transaction; false if another run did it. */
    start: (id: number, pupilIds: number[], now: string): number | null =>
      db.transaction(() => {
        if (q.start.run(now, id).changes !== 1) return null;
        return q.expand.run({ reminderId: id, now, pupilIds: JSON.stringify(pupilIds) }).changes;
      })(),
    deliveries: (reminderId: number) => q.deliveries.all(reminderId).map(toDelivery),
    nextDue: (now: string) => {
      const r = q.nextDue.get(now);
      return r ? toDelivery(r) : undefined;
    },
    /** pending -> sending, committed before the SMTP call; false when someone else took the row. */
    claim: (id: number, now: string) => q.claim.run(now, id).changes === 1,
    markSent: (id: number, messageId: string, now: string) => q.markSent.run(messageId, now, now, id),
    retryLater: (id: number, reason: string, at: string, now: string) => q.retryLater.run(reason, at, now, id),
    markFailed: (id: number, reason: string, now: string) => q.markFailed.run(reason, now, id),
    /** Rows a previous process left 'sending': the message may or may not have gone, so we do not resend. */
    failInterrupted: (now: string) => q.interrupt.run(now).changes,
    resendFailed: (reminderId: number, now: string) => q.resendFailed.run(now, now, reminderId).changes,
  };
}

export type RemindersRepo = ReturnType<typeof remindersRepo>;
