import { z } from 'zod';
import { strictInt } from '../../platform/http';
import { email } from '../../features/accounts/accounts.schemas';
import { upn, yearGroup, YEAR_GROUPS } from '../../features/register/register.schemas';

// Form posts arrive as strings ('' for an empty box, nothing for an unticked checkbox); these
// schemas turn them into the services' inputs, with messages written for the office.

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const required = (message: string, max: number) => z.string({ message }).trim().min(1, message).max(max, `Use at most ${max} characters.`);
const isoDay = z.iso.date({ message: 'Use a date like 2026-09-01.' });
const note = z.preprocess(blankToUndefined, z.string().trim().max(1000, 'Use at most 1000 characters.').optional())
  .transform((v) => v ?? null);

export const yearGroupLabel = (y: string) => (y === 'R' ? 'Reception' : y.startsWith('N') ? `Nursery ${y.slice(1)}` : `Year ${y.slice(1)}`);
export const YEAR_GROUP_OPTIONS: Array<[string, string]> = YEAR_GROUPS.map((y) => [y, yearGroupLabel(y)]);

export const pupilForm = z.object({
  upn: z.preprocess((v) => blankToUndefined(v) ?? null, upn.nullable()),
  firstName: required('Enter the first name.', 100),
  lastName: required('Enter the surname.', 100),
  className: required('Enter the class, for example 3B.', 50),
  yearGroup: z.preprocess((v) => v ?? '', yearGroup),
});

/** One person's answers from a paper form (or the child's refusal), as the office records them. */
export const positionsForm = z.object({
  photo: z.enum(['consents', 'objects', 'withdrawn'], { message: 'Choose an answer for photo sharing.' }),
  biometric: z.enum(['consents', 'objects', 'withdrawn'], { message: 'Choose an answer for face recognition.' }),
  source: z.enum(['paper', 'office']).default('paper'),
  givenOn: optional(isoDay),
  reviewOn: optional(isoDay),
  shown: z.preprocess(blankToUndefined, z.string().trim().max(100, 'Use at most 100 characters.').optional()).transform((v) => v ?? null),
  note,
});

export const namedPersonForm = z.object({
  name: required('Enter the name on the form.', 200),
  relationship: z.preprocess(blankToUndefined, z.string().trim().max(50, 'Use at most 50 characters.').optional()).transform((v) => v ?? null),
});

const relationship = z.preprocess(blankToUndefined, z.string().trim().max(50, 'Use at most 50 characters.').optional())
  .transform((v) => v ?? null);

export const linkParentForm = z.object({ email, relationship });

export const inviteParentForm = z.object({
  name: required('Enter the parent’s name.', 200),
  email,
  relationship,
});

export const inviteParentWithPupilForm = z.object({
  name: required('Enter the parent’s name.', 200),
  email,
  pupilId: optional(strictInt().pipe(z.number().positive())),
});

export const linkPupilForm = z.object({
  pupilId: strictInt('Choose a pupil.').pipe(z.number().positive('Choose a pupil.')),
  relationship,
});
