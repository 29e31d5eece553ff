// The evaluation set's manifest.json (format: ../shared/eval/README.md), validated with zod so a
// wrong --dataset stops with a clear message instead of a figure computed from nonsense.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const xywh = z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]);
const point = z.tuple([z.number(), z.number()]);

const face = z.object({
  box: xywh.optional(),
  nose: point.optional(),
  identity: z.string().min(1).nullable(),
  ignore: z.boolean().optional().default(false),
  /** WIDER's official attribute: atypical = profile, turned or tilted head. */
  pose: z.enum(['typical', 'atypical']).optional(),
}).refine((f) => f.box !== undefined || f.nose !== undefined, 'A face needs a box or a nose point.');

const group = z.object({
  file: z.string().min(1),
  source: z.string().min(1),
  truth: z.enum(['boxes', 'noses', 'labels']),
  faces: z.array(face),
});

export const manifestSchema = z.object({
  version: z.literal(1),
  identities: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)),
  groups: z.array(group),
}).superRefine((m, ctx) => {
  m.groups.forEach((g, gi) => g.faces.forEach((f, fi) => {
    if (f.identity !== null && f.identity !== 'unknown' && !(f.identity in m.identities)) {
      ctx.addIssue({ code: 'custom', path: ['groups', gi, 'faces', fi, 'identity'], message: `"${f.identity}" is not a key of identities.` });
    }
    if (g.truth === 'noses' && !f.nose) ctx.addIssue({ code: 'custom', path: ['groups', gi, 'faces', fi], message: 'truth "noses" needs a nose point.' });
    if (g.truth !== 'noses' && !f.box) ctx.addIssue({ code: 'custom', path: ['groups', gi, 'faces', fi], message: `truth "${g.truth}" needs a box.` });
  }));
});

export type Manifest = z.output<typeof manifestSchema>;
export type GroupPhoto = Manifest['groups'][number];
export type GroupFace = GroupPhoto['faces'][number];

/** Reads and validates DIR/manifest.json and checks that every file it names exists. */
export function loadManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`No manifest: ${file} does not exist (is --dataset the folder that holds manifest.json?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Invalid manifest ${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`Invalid manifest ${file}:\n${problems}`);
  }
  const missing = [
    ...Object.values(parsed.data.identities).flat(),
    ...parsed.data.groups.map((g) => g.file),
  ].filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) throw new Error(`Invalid manifest ${file}: ${missing.length} listed file(s) missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  return parsed.data;
}

/** The photo categories the tables report separately. */
export type Category = 'ordinary' | 'crowd' | 'labels';

export function categoryOf(g: GroupPhoto): Category {
  if (g.truth === 'labels') return 'labels';
  return g.source === 'widerface' ? 'crowd' : 'ordinary';
}
