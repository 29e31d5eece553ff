// Pure timing and error rules for reminders, kept apart so they can be tested as tables.

const MINUTE = 60_000;

export interface ReminderOffset {
  days: number;
  hours: number;
}

export const DEFAULT_OFFSET: ReminderOffset = { days: 2, hours: 0 };

export const offsetMinutes = (o: ReminderOffset): number => (o.days * 24 + o.hours) * 60;

/** When a reminder `minutesBefore` the event goes out. A time already past means "at the next
 *  tick" (a late reminder is still useful); null once the event has started, because then it is
 *  no longer a reminder. */
export function reminderDueAt(startsAt: Date, minutesBefore: number, now: Date): Date | null {
  if (startsAt.getTime() <= now.getTime()) return null;
  const due = startsAt.getTime() - minutesBefore * MINUTE;
  return new Date(Math.max(due, now.getTime()));
}

export const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = MINUTE;
const MAX_DELAY_MS = 60 * MINUTE;

/** Exponential backoff after the n-th failed attempt (1-based): 1, 2, 4, 8 ... minutes, capped. */
export const retryDelayMs = (attempt: number): number =>
  Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS);

export type SendFailure = { transient: boolean; reason: string };

// Nodemailer errors without an SMTP reply code that still say the message itself is unsendable.
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH']);

/** 4xx replies and connection problems are worth retrying; 5xx replies are final. */
export function classifySendError(err: unknown): SendFailure {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const text = String(e?.message ?? err).replace(/\s+/g, ' ').slice(0, 200);
  if (typeof e?.responseCode === 'number') {
    return { transient: e.responseCode >= 400 && e.responseCode < 500, reason: text };
  }
  return { transient: !(e?.code && PERMANENT_CODES.has(e.code)), reason: text };
}
