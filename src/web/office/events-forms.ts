import { z } from 'zod';
import { strictInt } from '../../platform/http';
import type { FormState } from './shared';

// Event forms arrive as strings and repeated fields; these turn them into the events service's
// inputs (the API's own schemas then apply its rules), with messages written for the office.

/** A form state whose multi-choice fields (checkboxes, multi-select) keep every chosen value. */
export interface EventFormState extends FormState {
  lists: Record<ListField, string[]>;
}

export const LIST_FIELDS = ['classes', 'yearGroups', 'pupilIds', 'organiserIds'] as const;
export type ListField = (typeof LIST_FIELDS)[number];

/** Every value of a repeated field (urlencoded bodies give a string for one, an array for more). */
export function listValues(body: unknown, name: string): string[] {
  const v = ((body ?? {}) as Record<string, unknown>)[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
}

export const formLists = (body: unknown): EventFormState['lists'] =>
  Object.fromEntries(LIST_FIELDS.map((f) => [f, listValues(body, f)])) as EventFormState['lists'];

// The school is in England: a "datetime-local" box means wall-clock time in Europe/London,
// whatever the server's zone; the service stores instants (it wants an ISO time with offset).
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function londonParts(d: Date) {
  const p = Object.fromEntries(LONDON.formatToParts(d).map((x) => [x.type, x.value]));
  return { y: +p.year!, mo: +p.month!, d: +p.day!, h: +p.hour!, mi: +p.minute!, s: +p.second! };
}

/** How far London is ahead of UTC at this instant, in ms (0 in winter, an hour in summer). */
function londonOffsetMs(at: number): number {
  const p = londonParts(new Date(at));
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(at / 1000) * 1000;
}

/** "2026-06-20T14:00" in London -> the instant as ISO; a time skipped by the clocks going forward lands an hour later. */
export function londonLocalToIso(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new Error(`not a local date-time: ${local}`);
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  let at = wall - londonOffsetMs(wall);
  at = wall - londonOffsetMs(at);
  return new Date(at).toISOString();
}

/** An instant -> the "datetime-local" value a London office would type. */
export function isoToLondonLocal(iso: string): string {
  const p = londonParts(new Date(iso));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.mo)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}`;
}

const required = (message: string, max: number) => z.string({ message }).trim().min(1, message).max(max, `Use at most ${max} characters.`);
const ids = (message: string) => z.array(strictInt(message).pipe(z.number().positive(message)));
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** The event form -> the body the API's createEventBody accepts. */
export const eventForm = z.object({
  name: required('Enter the event’s name.', 200),
  startsAt: z.string({ message: 'Enter the date and time.' }).trim()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Enter the date and time, for example 20/06/2026 14:00.')
    .transform(londonLocalToIso),
  place: required('Enter where it takes place, for example “School hall”.', 200),
  classes: z.array(z.string().max(50)).max(100),
  yearGroups: z.array(z.string().max(50)).max(20),
  pupilIds: ids('Choose pupils from the list.').max(3000),
  organiserIds: ids('Choose organisers from the list.').max(20),
}).transform(({ classes, yearGroups, pupilIds, ...rest }) => ({ ...rest, participants: { classes, yearGroups, pupilIds } }));

const wholeNumber = (max: number, what: string) => z.preprocess(blankToUndefined,
  z.coerce.number({ message: `Enter a whole number of ${what}.` }).int(`Enter a whole number of ${what}.`)
    .min(0, `Enter a whole number of ${what}.`).max(max, `Use at most ${max} ${what}.`).optional());

/** Days and/or hours before the event; the API's reminderBody supplies the default and the "not zero" rule. */
export const reminderForm = z.object({ days: wholeNumber(60, 'days'), hours: wholeNumber(23, 'hours') });

export const uploadLinkForm = z.object({
  days: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Enter a number of days from 1 to 90.' }).int('Enter a whole number of days.')
    .min(1, 'Enter a number of days from 1 to 90.').max(90, 'Enter a number of days from 1 to 90.').optional()),
});
