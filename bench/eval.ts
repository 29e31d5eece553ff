// npm run eval -- --dataset DIR [--workers N] [--threshold 0.5[,0.45...]] [--margin 0.08[,...]] [--json PATH] [--detector both|retinaface|yunet|ssd] [--max-side PX] [--yunet-min X] [--describer onnx|tfjs]
//
// Exposure, false reveals and retention on a face set (format: ../shared/eval/README.md), through
// the service's own code: createContext on a fresh SQLite database, pupils/consents/guardians/
// references through the register service, photos through ctx.checks.check. Lists of thresholds
// or margins run every combination; the engine analyses each photo once (MemoEngine), so a sweep
// costs one engine pass plus matching, blurring and scoring per setting.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { PhotoReport } from '../src/features/checks/checks.presenter';
import type { CheckMode } from '../src/features/checks/verdict';
import { createFaceEngine } from '../src/features/faces';
import { ManualClock } from '../src/platform/clock';
import { loadManifest, type GroupPhoto, type Manifest } from './eval-manifest';
import { percentile } from './eval-metrics';
import { CATEGORIES, exposure, exposureExtra, exposureTable, overBlurFigures, overBlurTable, photoOverBlur, reveals, revealsTable, scorePhoto, table, type FaceOutcome, type RevealFigures } from './eval-score';
import { categoryOf } from './eval-manifest';
import { buildSchool, forEachLimit, linkParentToAll, MemoEngine, setPhotoConsent, type EvalSchool, type MatchSetting } from './eval-world';

const numberList = (name: string) => z.string().optional().transform((v, ctx) => {
  if (v === undefined) return [undefined];
  const values = v.split(',').map((s) => Number(s.trim()));
  if (values.some((n) => !Number.isFinite(n) || n < 0 || n > 1)) {
    ctx.addIssue({ code: 'custom', message: `--${name} takes numbers between 0 and 1, comma-separated` });
  }
  return values;
});

const argsSchema = z.object({
  dataset: z.string({ message: '--dataset DIR is required (the folder with manifest.json)' }).min(1),
  workers: z.coerce.number().int().min(1).max(8).default(1),
  threshold: numberList('threshold'),
  margin: numberList('margin'),
  json: z.string().optional(),
  detector: z.enum(['both', 'retinaface', 'yunet', 'ssd']).default('both'),
  maxSide: z.coerce.number().int().min(256).optional(),
  yunetMin: z.coerce.number().min(0).max(1).optional(),
  describer: z.enum(['onnx', 'tfjs']).default('onnx'),
});

type Args = z.output<typeof argsSchema>;

function readArgs(): Args {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' }, workers: { type: 'string' }, threshold: { type: 'string' },
      margin: { type: 'string' }, json: { type: 'string' }, detector: { type: 'string' }, describer: { type: 'string' }, 'max-side': { type: 'string' }, 'yunet-min': { type: 'string' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse({ ...values, maxSide: values['max-side'], yunetMin: values['yunet-min'] });
  if (!parsed.success) throw new Error(`Usage: npm run eval -- --dataset DIR [--workers N] [--threshold X[,Y]] [--margin X[,Y]] [--json PATH] [--detector both|retinaface|yunet|ssd] [--max-side PX] [--yunet-min X] [--describer onnx|tfjs]\n${parsed.error.issues.map((i) => `  ${i.message}`).join('\n')}`);
  return parsed.data;
}

// A fixed school day: consents recorded "today" are current whatever day the eval runs.
const clock = new ManualClock('2026-03-02T09:00:00Z');

interface Photo {
  group: GroupPhoto;
  buffer: Buffer;
}

/** Checks every group photo as the parent and scores it; times each whole check. */
async function checkAll(s: EvalSchool, photos: Photo[], mode: CheckMode, workers: number) {
  const outcomes: FaceOutcome[] = [];
  const overBlur = Object.fromEntries(CATEGORIES.map((c) => [c, [] as number[]]));
  const times: number[] = [];
  const failures: string[] = [];
  await forEachLimit(photos, workers, async ({ group, buffer }) => {
    const t0 = performance.now();
    const record = await s.ctx.checks.check(s.parentId, [{ buffer }], { mode });
    times.push(performance.now() - t0);
    const report = record.photos[0]!;
    if (!report.ok) {
      failures.push(`${group.file}: ${report.error.code}`);
      return;
    }
    outcomes.push(...scorePhoto(group, report as PhotoReport));
    const share = photoOverBlur(group, report as PhotoReport);
    if (share !== null) overBlur[categoryOf(group)]!.push(share);
  });
  const overBlurBy = Object.fromEntries(Object.entries(overBlur).map(([c, v]) => [c, overBlurFigures(v)]));
  return { outcomes, times, failures, overBlur: overBlurBy };
}

interface SettingResult {
  setting: { threshold: number; margin: number };
  enrolment: EvalSchool['enrolment'];
  exposure: Record<string, unknown>;
  reveals: RevealFigures;
  overBlur?: Record<string, unknown>;
  timing?: { checkMsMedian: number | null; checkMsP90: number | null; photos: number; enrolMsPerPortrait: number };
  failures: string[];
}

async function evaluateSetting(manifest: Manifest, identities: Record<string, Buffer[]>, photos: Photo[], engine: MemoEngine, setting: MatchSetting, workers: number, full: boolean) {
  const t0 = performance.now();
  const missesBefore = engine.misses;
  const school = await buildSchool({ setting, engine, clock, workers, identities });
  const enrolMs = performance.now() - t0;
  const enrolledIds = new Set(school.pupilOf.keys());
  const known = new Set(Object.keys(manifest.identities));
  const out: string[] = [];
  const result: Partial<SettingResult> = {
    setting: { threshold: school.config.MATCH_THRESHOLD, margin: school.config.MATCH_MARGIN },
    enrolment: school.enrolment, exposure: {}, failures: [],
  };
  try {
    // 1. Every pupil refuses photo sharing; the parent has no children: every face must be blurred.
    if (full) {
      setPhotoConsent(school, 'refused');
      const std = await checkAll(school, photos, 'standard', workers);
      const omc = await checkAll(school, photos, 'only_my_child', workers);
      const all = () => true;
      result.exposure!.refusedStandard = exposure(std.outcomes, all);
      result.exposure!.refusedStandardExtra = exposureExtra(std.outcomes, all);
      result.exposure!.refusedOnlyMyChild = exposure(omc.outcomes, all);
      result.overBlur = std.overBlur;
      out.push('EXPOSURE, every pupil\'s photo consent refused, standard mode (faces less than 70% blurred; noses not blurred)',
        exposureTable(exposure(std.outcomes, all), exposureExtra(std.outcomes, all)), '',
        'OVER-BLUR, the same run: share of each photo\'s area blurred by regions that touch no true face (complete truth only)',
        overBlurTable(std.overBlur), '',
        'EXPOSURE, the same, "only my child" mode', exposureTable(exposure(omc.outcomes, all), exposureExtra(omc.outcomes, all)), '');
      const engineRan = engine.misses > missesBefore;
      if (engineRan) {
        const portraits = school.enrolment.portraits;
        result.timing = {
          checkMsMedian: percentile(std.times, 50), checkMsP90: percentile(std.times, 90), photos: std.times.length,
          enrolMsPerPortrait: enrolMs / Math.max(1, portraits),
        };
        out.push(`TIME per group photo, whole check (${std.times.length} photos, ${workers} at a time): median ${fmtMs(result.timing.checkMsMedian)}, p90 ${fmtMs(result.timing.checkMsP90)}; enrolment ${fmtMs(result.timing.enrolMsPerPortrait)} per portrait`, '');
      }
      result.failures!.push(...std.failures, ...omc.failures);
    }
    // 5. Every pupil consents; the parent has none of them: standard mode may show consented
    //    pupils, "only my child" mode must blur everyone.
    setPhotoConsent(school, 'granted');
    const notEnrolled = (o: FaceOutcome) => o.identity === null || !enrolledIds.has(o.identity);
    if (full) {
      const std = await checkAll(school, photos, 'standard', workers);
      const omc = await checkAll(school, photos, 'only_my_child', workers);
      result.exposure!.consentedStandard = exposure(std.outcomes, notEnrolled);
      result.exposure!.consentedOnlyMyChild = exposure(omc.outcomes, () => true);
      out.push('EXPOSURE, every pupil consented, parent of none: standard mode (faces of people not enrolled)',
        exposureTable(exposure(std.outcomes, notEnrolled)), '',
        'EXPOSURE, the same photos, "only my child" mode (every face)', exposureTable(exposure(omc.outcomes, () => true), exposureExtra(omc.outcomes, () => true)), '');
      result.failures!.push(...std.failures, ...omc.failures);
    }
    // 3. Every pupil consents and is the parent's child: every enrolled face may be named.
    await linkParentToAll(school);
    const linked = await checkAll(school, photos, 'standard', workers);
    result.reveals = reveals(linked.outcomes, school.pupilOf, known);
    result.failures!.push(...linked.failures);
    out.push('FALSE REVEALS AND RETENTION, every pupil consented and the parent\'s child', revealsTable(result.reveals), '');
  } finally {
    school.close();
  }
  return { result: result as SettingResult, text: out.join('\n') };
}

const fmtMs = (ms: number | null) => (ms === null ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

async function main() {
  const args = readArgs();
  const dataset = path.resolve(args.dataset);
  const manifest = loadManifest(dataset);
  const identities = Object.fromEntries(Object.entries(manifest.identities).map(([id, files]) => [id, files.map((f) => fs.readFileSync(path.join(dataset, f)))]));
  const photos = manifest.groups.map((group) => ({ group, buffer: fs.readFileSync(path.join(dataset, group.file)) }));
  const settings = args.threshold.flatMap((threshold) => args.margin.map((margin): MatchSetting => ({ threshold, margin })));

  const engine = new MemoEngine(await createFaceEngine({ workers: args.workers, maxPixels: 40_000_000, detector: args.detector, describer: args.describer, maxSide: args.maxSide, yunetMinConfidence: args.yunetMin }));
  console.log(`dataset ${dataset}: ${Object.keys(manifest.identities).length} identities, ${Object.values(manifest.identities).flat().length} portraits, ${photos.length} group photos; engine ${engine.backend} x${engine.workers}, detector ${engine.detector}, describer ${engine.describer}\n`);
  const results: SettingResult[] = [];
  try {
    for (const [i, setting] of settings.entries()) {
      const { result, text } = await evaluateSetting(manifest, identities, photos, engine, setting, args.workers, i === 0);
      results.push(result);
      console.log(`=== MATCH_THRESHOLD=${result.setting.threshold} MATCH_MARGIN=${result.setting.margin} ===`);
      if (i === 0) {
        const e = result.enrolment;
        console.log(`ENROLMENT: ${e.accepted}/${e.portraits} portraits accepted; refused: ${JSON.stringify(e.refused)}; identities with none accepted: ${e.notEnrolled.length ? e.notEnrolled.join(', ') : 'none'}\n`);
      }
      console.log(text);
      if (result.failures.length) console.log(`FAILED CHECKS: ${result.failures.join('; ')}\n`);
    }
  } finally {
    await engine.close();
  }
  if (results.length > 1) {
    console.log('SWEEP (every pupil consented and the parent\'s child)');
    console.log(table(['threshold', 'margin', 'false reveals', 'retention', 'misidentified', 'unlabelled visible'], results.map((r) => [
      String(r.setting.threshold), String(r.setting.margin),
      `${pct(r.reveals.falseRevealRate)} (${r.reveals.falseReveals}/${r.reveals.unknownFaces})`,
      `${pct(r.reveals.retention)} (${r.reveals.retained}/${r.reveals.enrolledFaces})`,
      `${r.reveals.misidentified}`, `${r.reveals.unlabelledVisible}/${r.reveals.unlabelledFaces}`,
    ])));
    console.log('(exposure tables are printed for the first setting only: with consent refused, or in "only my child" mode, matching cannot unblur a face)\n');
  }
  const file = args.json ?? path.join(__dirname, 'results', `eval-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({
    dataset, commit: gitCommit(), backend: engine.backend, detector: engine.detector, describer: engine.describer, workers: args.workers, date: new Date().toISOString(), results,
  }, null, 2));
  console.log(`results written to ${file}`);
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
