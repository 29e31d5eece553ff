// Scores the service's photo reports against the manifest's truth: which true faces are covered
// by the blurred regions, which are left visible and under what name.
import type { FaceReport, PhotoReport } from '../src/features/checks/checks.presenter';
import { categoryOf, type Category, type GroupPhoto } from './eval-manifest';
import { isCovered, LARGE_FACE_PX, overBlurShare, percent, percentile, rate, rectFromXywh, sameFace, sizeBucket, SIZE_BUCKETS, Tally, type SizeBucket, type TruthFace } from './eval-metrics';

export interface FaceOutcome {
  photo: string;
  category: Category;
  bucket: SizeBucket;
  /** True box width (null for nose points). */
  width: number | null;
  /** WIDER's pose attribute where the manifest has it. */
  pose: 'typical' | 'atypical' | null;
  /** Manifest identity: a key of identities, 'unknown', or null (unlabelled). */
  identity: string | null;
  covered: boolean;
  /** The visible (unblurred) reported face that is this face, if any. */
  visible: FaceReport | null;
}

export function scorePhoto(group: GroupPhoto, report: PhotoReport): FaceOutcome[] {
  return group.faces.filter((f) => !f.ignore).map((f) => {
    const truth: TruthFace = { box: f.box ? rectFromXywh(f.box) : null, nose: f.nose ?? null };
    const covered = isCovered(truth, report.blurredRegions);
    return {
      photo: group.file,
      category: categoryOf(group),
      bucket: sizeBucket(truth.box),
      width: truth.box ? truth.box.width : null,
      pose: f.pose ?? null,
      identity: f.identity,
      covered,
      visible: covered ? null : sameFace(truth, report.faces.filter((r) => !r.blurred)),
    };
  });
}

/** Over-blur of one photo (see overBlurShare), or null where the truth may be incomplete. */
export function photoOverBlur(group: GroupPhoto, report: PhotoReport): number | null {
  if (group.truth === 'labels') return null;
  const truths: TruthFace[] = group.faces.map((f) => ({ box: f.box ? rectFromXywh(f.box) : null, nose: f.nose ?? null }));
  return overBlurShare(report.blurredRegions, truths, report.width, report.height);
}

export interface OverBlurFigures {
  photos: number;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export function overBlurFigures(shares: readonly number[]): OverBlurFigures {
  return { photos: shares.length, median: percentile(shares, 50), p90: percentile(shares, 90), max: percentile(shares, 100) };
}

export const CATEGORIES: Category[] = ['ordinary', 'crowd', 'labels'];

/** Exposure (not covered) of the faces that must be blurred, by category and size bucket. */
export function exposure(outcomes: FaceOutcome[], mustBlur: (o: FaceOutcome) => boolean) {
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, new Tally()])) as Record<Category, Tally>;
  for (const o of outcomes) if (mustBlur(o)) byCategory[o.category].add(o.bucket, !o.covered);
  return byCategory;
}

export interface RevealFigures {
  unknownFaces: number;
  falseReveals: number;
  falseRevealsByCategory: Record<Category, { hits: number; total: number }>;
  unlabelledFaces: number;
  unlabelledVisible: number;
  enrolledFaces: number;
  retained: number;
  misidentified: number;
  /** Faces of identities none of whose portraits the service accepted. */
  notEnrolledFaces: number;
  falseRevealRate: number | null;
  retention: number | null;
  misidentificationRate: number | null;
}

/** With every pupil consented and linked to the checking parent: what stays visible, named how. */
export function reveals(outcomes: FaceOutcome[], pupilOf: Map<string, number>, knownIdentities: Set<string>): RevealFigures {
  const f = {
    unknownFaces: 0, falseReveals: 0, unlabelledFaces: 0, unlabelledVisible: 0,
    enrolledFaces: 0, retained: 0, misidentified: 0, notEnrolledFaces: 0,
  };
  const byCat = Object.fromEntries(CATEGORIES.map((c) => [c, { hits: 0, total: 0 }])) as Record<Category, { hits: number; total: number }>;
  for (const o of outcomes) {
    if (o.identity === 'unknown') {
      f.unknownFaces += 1;
      byCat[o.category].total += 1;
      if (o.visible) {
        f.falseReveals += 1;
        byCat[o.category].hits += 1;
      }
    } else if (o.identity === null) {
      f.unlabelledFaces += 1;
      if (o.visible) f.unlabelledVisible += 1;
    } else if (!pupilOf.has(o.identity)) {
      if (knownIdentities.has(o.identity)) f.notEnrolledFaces += 1;
    } else {
      f.enrolledFaces += 1;
      const named = o.visible?.pupil?.id;
      if (named === pupilOf.get(o.identity)) f.retained += 1;
      else if (o.visible) f.misidentified += 1;
    }
  }
  return {
    ...f, falseRevealsByCategory: byCat,
    falseRevealRate: rate(f.falseReveals, f.unknownFaces),
    retention: rate(f.retained, f.enrolledFaces),
    misidentificationRate: rate(f.misidentified, f.enrolledFaces),
  };
}

// ---- plain-text tables ------------------------------------------------------------------

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const LABELS: Record<Category, string> = { ordinary: 'group photos (complete truth)', crowd: 'WIDER crowds', labels: 'labelled photos (truth may be incomplete)' };

/** Exposure rows beyond the size buckets: faces >= 40 px together, and by pose. */
export function exposureExtra(outcomes: FaceOutcome[], mustBlur: (o: FaceOutcome) => boolean) {
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, new Tally()])) as Record<Category, Tally>;
  for (const o of outcomes) {
    if (!mustBlur(o)) continue;
    if (o.width !== null && o.width >= LARGE_FACE_PX) byCategory[o.category].add(`>=${LARGE_FACE_PX}`, !o.covered);
    if (o.pose) byCategory[o.category].add(`pose ${o.pose}`, !o.covered);
  }
  return byCategory;
}

export function exposureTable(byCategory: Record<Category, Tally>, extra?: Record<Category, Tally>): string {
  const extraRows = [`>=${LARGE_FACE_PX}`, 'pose typical', 'pose atypical'];
  const rows = [...SIZE_BUCKETS, 'all', ...(extra ? extraRows : [])].map((bucket) => [
    bucket,
    ...CATEGORIES.map((c) => {
      const t = extraRows.includes(bucket) ? extra![c] : byCategory[c];
      const r = bucket === 'all' ? { hits: t.hits, total: t.total } : t.rows.get(bucket) ?? { hits: 0, total: 0 };
      return percent(r.hits, r.total);
    }),
  ]).filter((r) => r.slice(1).some((c) => c !== '-'));
  return table(['face width', ...CATEGORIES.map((c) => LABELS[c])], rows);
}

export function overBlurTable(byCategory: Partial<Record<Category, OverBlurFigures>>): string {
  const pc = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  const rows = CATEGORIES.filter((c) => byCategory[c] && byCategory[c]!.photos > 0).map((c) => {
    const f = byCategory[c]!;
    return [LABELS[c], String(f.photos), pc(f.median), pc(f.p90), pc(f.max)];
  });
  return table(['photos', 'count', 'median', 'p90', 'max'], rows);
}

export function revealsTable(r: RevealFigures): string {
  return table(['figure', 'value'], [
    ['false reveals (unknown faces left visible)', percent(r.falseReveals, r.unknownFaces)],
    ...CATEGORIES.map((c) => [`  in ${LABELS[c]}`, percent(r.falseRevealsByCategory[c].hits, r.falseRevealsByCategory[c].total)]),
    ['unlabelled faces left visible (identity null)', percent(r.unlabelledVisible, r.unlabelledFaces)],
    ['retention (enrolled faces visible, correctly named)', percent(r.retained, r.enrolledFaces)],
    ['misidentification (enrolled faces named as someone else)', percent(r.misidentified, r.enrolledFaces)],
    ['faces of identities with no accepted reference', String(r.notEnrolledFaces)],
  ]);
}
