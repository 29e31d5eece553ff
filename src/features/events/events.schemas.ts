import { z } from 'zod';

// One line of text a person typed: no control characters, so it is safe in mail headers too.
const line = (max: number) =>
  z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'Use a single line without control characters.');

const startsAt = z.iso.datetime({ offset: true, message: 'Give the start as an ISO date and time, e.g. 2026-06-20T14:00:00+01:00.' })
  .transform((s) => new Date(s).toISOString());

const id = z.number().int().positive();

export const participantsBody = z.object({
  classes: z.array(line(50)).max(100).default([]),
  yearGroups: z.array(line(50)).max(20).default([]),
  pupilIds: z.array(id).max(3000).default([]),
});

export const createEventBody = z.object({
  name: line(200),
  startsAt,
  place: line(200),
  organiserIds: z.array(id).max(20).default([]),
  participants: participantsBody.default({ classes: [], yearGroups: [], pupilIds: [] }),
});

export const updateEventBody = z.object({
  name: line(200).optional(),
  startsAt: startsAt.optional(),
  place: line(200).optional(),
  organiserIds: z.array(id).max(20).optional(),
  participants: participantsBody.optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), 'Change at least one field.');

export const uploadLinkBody = z.object({ days: z.number().int().min(1).max(90).default(7) });

export const reminderBody = z.object({
  days: z.number().int().min(0).max(60).optional(),
  hours: z.number().int().min(0).max(23 * 60).optional(),
}).transform((b) => (b.days === undefined && b.hours === undefined ? { days: 2, hours: 0 } : { days: b.days ?? 0, hours: b.hours ?? 0 }))
  .refine((o) => o.days + o.hours > 0, 'Choose how long before the event the reminder goes out.');

export const guidanceBody = z.object({ guidance: z.string().trim().min(1).max(5000).nullable() });

/** Upload-link tokens are base64url; anything else cannot be one, and is simply unknown. */
export const linkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);

export type CreateEventInput = z.output<typeof createEventBody>;
export type UpdateEventInput = z.output<typeof updateEventBody>;
