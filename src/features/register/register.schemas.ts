import { z } from 'zod';
import { email } from '../accounts/accounts.schemas';

// Year groups as English primary schools (and their nurseries) name them. MIS exports spell them
// many ways ("R", "Reception", "Year 1", "1", "Y1", "N2"); all become one short code.
export const YEAR_GROUPS = ['N1', 'N2', 'R', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6'] as const;
export type YearGroup = (typeof YEAR_GROUPS)[number];

export function normaliseYearGroup(raw: string): YearGroup | null {
  const s = raw.trim().toUpperCase().replace(/[\s_-]+/g, '');
  if (['R', 'REC', 'RECEPTION', 'YR', 'YEARR', 'YEARRECEPTION', '0'].includes(s)) return 'R';
  if (['N', 'NURSERY', 'N1', 'NURSERY1'].includes(s)) return 'N1';
  if (['N2', 'NURSERY2'].includes(s)) return 'N2';
  const year = /^(?:Y|YR|YEAR|NC|NCYEAR)?([1-6])$/.exec(s);
  return year ? (`Y${year[1]}` as YearGroup) : null;
}

export const yearGroup = z.string().transform((v, ctx) => {
  const y = normaliseYearGroup(v);
  if (!y) ctx.addIssue({ code: 'custom', message: `Unknown year group "${v.slice(0, 20)}" (use N1, N2, R or Y1-Y6).` });
  return y ?? z.NEVER;
});

const isoDay = z.iso.date({ message: 'Use a date like 2026-09-01.' });
const name = z.string().trim().min(1, 'Required.').max(100);
const className = z.string().trim().min(1, 'Required.').max(50);
// A UPN is a check letter and 12 characters (the last is a letter for a temporary UPN).
export const upn = z.string().trim().toUpperCase().regex(/^[A-Z]\d{11}[0-9A-Z]$/, 'A UPN is a letter and 12 more characters.');
const optionalText = (max: number) => z.string().trim().max(max).optional().transform((v) => v || null);

export const createPupilBody = z.object({
  upn: upn.nullish(),
  firstName: name,
  lastName: name,
  className,
  yearGroup,
});

export const updatePupilBody = z
  .object({ upn: upn.nullable(), firstName: name, lastName: name, className, yearGroup })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

const yesNo = z.enum(['yes', 'no', 'true', 'false']).transform((v) => v === 'yes' || v === 'true');

export const listPupilsQuery = z.object({
  q: z.string().trim().max(100).optional(),
  class: z.string().trim().max(50).optional(),
  yearGroup: yearGroup.optional(),
  status: z.enum(['on_roll', 'left', 'all']).default('on_roll'),
  photoConsent: z.enum(['granted', 'refused', 'not_asked', 'expired']).optional(),
  biometric: z.enum(['holds', 'not']).optional(),
  reviewDue: isoDay.optional(),
  enrolled: yesNo.optional(),
});
export type ListPupilsQuery = z.output<typeof listPupilsQuery>;

export const addGuardianBody = z.union([
  z.object({ userId: z.number().int().positive(), relationship: optionalText(50) }),
  z.object({
    email,
    name: name.max(200),
    relationship: optionalText(50),
    sendInvitation: z.boolean().default(true),
  }),
]);

export const photoConsentBody = z
  .object({
    status: z.enum(['granted', 'refused', 'not_asked']),
    givenBy: z.string().trim().min(1, 'Say who gave or refused consent.').max(200),
    givenOn: isoDay.optional(),
    reviewOn: isoDay.optional(),
    note: optionalText(1000),
  })
  .refine((b) => !b.givenOn || !b.reviewOn || b.reviewOn >= b.givenOn, {
    message: 'The review date cannot be before the date consent was given.',
    path: ['reviewOn'],
  });

export const biometricConsentBody = z.object({
  parentConsent: z.boolean(),
  parentObjection: z.boolean(),
  childObjection: z.boolean(),
  givenBy: z.string().trim().min(1, 'Say who gave or withdrew consent.').max(200),
  note: optionalText(1000),
});

/** The office has checked: no brother or sister (enrolled or not) could be taken for this pupil. */
export const noLookalikeSiblingBody = z.object({ confirmed: z.boolean() });

export const importQuery = z.object({ dryRun: yesNo.default(false) });

export const consentKind = z.enum(['photo', 'biometric']);

/** The office records one person's position: the child, a linked parent account, a person named
 *  on a paper form, or a person already on the pupil's record. */
export const positionBody = z.object({
  person: z.union([
    z.object({ personId: z.number().int().positive() }),
    z.object({ kind: z.literal('child') }),
    z.object({ kind: z.literal('parent_account'), userId: z.number().int().positive() }),
    z.object({ kind: z.literal('named'), name: z.string().trim().min(1, 'Give the name on the form.').max(200), relationship: optionalText(50) }),
  ]),
  consent: consentKind,
  position: z.enum(['consents', 'objects', 'withdrawn']),
  source: z.enum(['paper', 'office']).default('paper'),
  givenOn: isoDay.optional(),
  reviewOn: isoDay.optional(),
  shown: z.string().trim().max(100).optional().transform((v) => v || null).describe('Which form (version) the person signed'),
  note: optionalText(1000),
});

/** A parent's own answer online, with the version of the wording they were shown. */
export const myPositionBody = z.object({
  answer: z.enum(['consents', 'objects', 'withdrawn']),
  wordingVersion: z.string().trim().min(1).max(64),
});

export const sendReviewsBody = z.object({
  expectedRecipients: z.number().int().min(0).describe('How many parents the office saw in the list and confirmed'),
});
