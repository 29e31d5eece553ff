import { classifySendError, MAX_ATTEMPTS, reminderDueAt, retryDelayMs } from '../../src/features/events/reminder-schedule';

const H = 60;
const D = 24 * H;

describe('reminder schedule', () => {
  test.each([
    // when the reminder is ..., with the event at ... and the clock at ..., then it is due at ...
    ['two days before, well ahead', '2026-03-10T13:00:00Z', 2 * D, '2026-03-01T09:00:00Z', '2026-03-08T13:00:00.000Z'],
    ['three hours before', '2026-03-10T13:00:00Z', 3 * H, '2026-03-01T09:00:00Z', '2026-03-10T10:00:00.000Z'],
    ['one day and six hours before', '2026-03-10T13:00:00Z', D + 6 * H, '2026-03-01T09:00:00Z', '2026-03-09T07:00:00.000Z'],
    ['two days before, but the event is tomorrow (late: send now)', '2026-03-02T13:00:00Z', 2 * D, '2026-03-01T09:00:00Z', '2026-03-01T09:00:00.000Z'],
    ['exactly at its due time', '2026-03-03T09:00:00Z', 2 * D, '2026-03-01T09:00:00Z', '2026-03-01T09:00:00.000Z'],
    ['for an event across the clock change (UTC arithmetic)', '2026-03-30T08:00:00Z', 2 * D, '2026-03-01T09:00:00Z', '2026-03-28T08:00:00.000Z'],
  ])('when %s, then the due time follows from the clock', (_name, startsAt, minutes, now, expected) => {
    expect(reminderDueAt(new Date(startsAt), minutes, new Date(now))?.toISOString()).toBe(expected);
  });

  test.each([
    ['has started', '2026-03-01T09:00:00Z'],
    ['is over', '2026-02-20T09:00:00Z'],
  ])('when the event %s, then no reminder is due', (_name, startsAt) => {
    expect(reminderDueAt(new Date(startsAt), 2 * D, new Date('2026-03-01T09:00:00Z'))).toBeNull();
  });

  test('when attempts fail, then the wait doubles from a minute and is capped at an hour', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 16, 60]);
    expect(MAX_ATTEMPTS).toBeGreaterThan(1);
  });

  test.each([
    ['a 451 reply', true, { responseCode: 451, message: 'Try later' }],
    ['a 421 reply', true, { responseCode: 421, message: 'Service not available' }],
    ['a 550 reply', false, { responseCode: 550, message: 'No such mailbox' }],
    ['a 554 reply', false, { responseCode: 554, message: 'Rejected' }],
    ['a refused connection', true, { code: 'ECONNECTION', message: 'connect ECONNREFUSED' }],
    ['a timeout', true, { code: 'ETIMEDOUT', message: 'Timeout' }],
    ['an invalid envelope without a reply code', false, { code: 'EENVELOPE', message: 'No recipients defined' }],
  ])('when sending fails with %s, then retrying is %s', (_name, transient, err) => {
    expect(classifySendError(Object.assign(new Error(err.message), err)).transient).toBe(transient);
  });
});
