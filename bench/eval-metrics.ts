// Pure arithmetic of the face evaluation: how much of a true face lies inside the blurred
// regions of a safe copy, which size bucket it falls in, and the tallies the tables print.
// No I/O, no engine: unit-tested in tests/bench/eval-metrics.test.ts.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A face is safe when at least this share of its true box is blurred (eval README). */
export const COVERED_SHARE = 0.7;
/** A true face and a reported face are the same face at this IoU or more. */
export const SAME_FACE_IOU = 0.3;

export const rectFromXywh = ([x, y, width, height]: readonly [number, number, number, number]): Rect => ({ x, y, width, height });

/** Share (0..1) of `box` covered by the union of `regions`, counting overlaps once.
 *  Exact: the plane is cut at every edge inside the box and each cell is tested once. */
export function coveredShare(box: Rect, regions: readonly Rect[]): number {
  const area = box.width * box.height;
  if (!(area > 0)) return 0;
  const x0 = box.x;
  const y0 = box.y;
  const x1 = box.x + box.width;
  const y1 = box.y + box.height;
  const clipped = regions
    .map((r) => ({ x0: Math.max(x0, r.x), y0: Math.max(y0, r.y), x1: Math.min(x1, r.x + r.width), y1: Math.min(y1, r.y + r.height) }))
    .filter((r) => r.x1 > r.x0 && r.y1 > r.y0);
  if (clipped.length === 0) return 0;
  const xs = [...new Set([x0, x1, ...clipped.flatMap((r) => [r.x0, r.x1])])].sort((a, b) => a - b);
  const ys = [...new Set([y0, y1, ...clipped.flatMap((r) => [r.y0, r.y1])])].sort((a, b) => a - b);
  let covered = 0;
  for (let i = 0; i + 1 < xs.length; i += 1) {
    const cx = (xs[i] + xs[i + 1]) / 2;
    for (let j = 0; j + 1 < ys.length; j += 1) {
      const cy = (ys[j] + ys[j + 1]) / 2;
      if (clipped.some((r) => cx >= r.x0 && cx < r.x1 && cy >= r.y0 && cy < r.y1)) {
        covered += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
      }
    }
  }
  return Math.min(1, covered / area);
}

export function pointInside(p: readonly [number, number], r: Rect): boolean {
  return p[0] >= r.x && p[0] < r.x + r.width && p[1] >= r.y && p[1] < r.y + r.height;
}

export const pointInAny = (p: readonly [number, number], regions: readonly Rect[]): boolean => regions.some((r) => pointInside(p, r));

import { iou } from '../src/features/faces/box-overlap';

export { iou };

export const SIZE_BUCKETS = ['<20', '20-40', '40-80', '>=80', 'nose only'] as const;
export type SizeBucket = (typeof SIZE_BUCKETS)[number];

/** By the width of the true box; faces known only by a nose point have their own row. */
export function sizeBucket(box: Rect | null): SizeBucket {
  if (!box) return 'nose only';
  if (box.width < 20) return '<20';
  if (box.width < 40) return '20-40';
  if (box.width < 80) return '40-80';
  return '>=80';
}

/** Faces at least this wide get a row of their own (the ">= 40 px" target). */
export const LARGE_FACE_PX = 40;

/** Share (0..1) of the photo's area that is blurred by regions touching no true face (over-blur:
 *  background destroyed for nothing). A region touches a face when it overlaps its box or holds
 *  its nose point. Overlapping regions count once. Only meaningful with complete truth. */
export function overBlurShare(regions: readonly Rect[], truths: readonly TruthFace[], width: number, height: number): number {
  const touches = (r: Rect) => truths.some((t) => (t.box ? coveredShare(t.box, [r]) > 0 : t.nose !== null && pointInside(t.nose, r)));
  const idle = regions.filter((r) => !touches(r));
  return coveredShare({ x: 0, y: 0, width, height }, idle);
}

/** A true face: a box, or only a nose point. */
export interface TruthFace {
  box: Rect | null;
  nose: [number, number] | null;
}

/** Is this true face blurred enough in a copy whose blurred regions are `regions`? */
export function isCovered(face: TruthFace, regions: readonly Rect[]): boolean {
  if (face.box) return coveredShare(face.box, regions) >= COVERED_SHARE;
  return face.nose !== null && pointInAny(face.nose, regions);
}

/** The reported face that is this true face: best IoU >= SAME_FACE_IOU, or for a nose point the
 *  smallest reported box around it. */
export function sameFace<T extends { box: Rect }>(face: TruthFace, reported: readonly T[]): T | null {
  let best: T | null = null;
  let bestScore = 0;
  for (const r of reported) {
    const score = face.box ? iou(face.box, r.box) : face.nose && pointInside(face.nose, r.box) ? 1 / (1 + r.box.width * r.box.height) : 0;
    if (face.box ? score >= SAME_FACE_IOU && score > bestScore : score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** count of `hits` out of `total`, by bucket. */
export class Tally {
  readonly rows = new Map<string, { hits: number; total: number }>();

  add(bucket: string, hit: boolean): void {
    const row = this.rows.get(bucket) ?? { hits: 0, total: 0 };
    row.total += 1;
    if (hit) row.hits += 1;
    this.rows.set(bucket, row);
  }

  get hits(): number {
    return [...this.rows.values()].reduce((n, r) => n + r.hits, 0);
  }

  get total(): number {
    return [...this.rows.values()].reduce((n, r) => n + r.total, 0);
  }

  toJSON() {
    return { hits: this.hits, total: this.total, rate: rate(this.hits, this.total), byBucket: Object.fromEntries(this.rows) };
  }
}

export const rate = (hits: number, total: number): number | null => (total === 0 ? null : hits / total);

export function percent(hits: number, total: number): string {
  if (total === 0) return '-';
  return `${((100 * hits) / total).toFixed(1)}% (${hits}/${total})`;
}

/** Nearest-rank percentile of a list of numbers (p in 0..100). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
