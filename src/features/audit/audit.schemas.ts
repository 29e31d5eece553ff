import { z } from 'zod';
import { strictInt } from '../../platform/http';

const DAY_MS = 86_400_000;
const day = z.iso.date();
const instant = z.iso.datetime({ offset: true });

// A bare date in "from" means the start of that day; in "to" the whole day is included.
const fromParam = z.union([day.transform((d) => `${d}T00:00:00.000Z`), instant.transform((t) => new Date(t).toISOString())]);
const toParam = z.union([
  day.transform((d) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString()),
  instant.transform((t) => new Date(t).toISOString()),
]);

export const auditQuery = z.object({
  action: z.string().trim().min(1).max(100).optional(),
  subjectType: z.string().trim().min(1).max(50).optional(),
  subjectId: strictInt().pipe(z.number().positive()).optional(),
  actorId: strictInt().pipe(z.number().positive()).optional(),
  from: fromParam.optional(),
  to: toParam.optional(),
  beforeId: strictInt().pipe(z.number().positive()).optional(),
  limit: strictInt().pipe(z.number().min(1).max(500)).default(100),
});
