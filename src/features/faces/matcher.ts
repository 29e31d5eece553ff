// Who is this face? Nearest enrolled pupil by Euclidean distance of 128-d descriptors, refusing
// whenever the answer is not clear. A wrong match can leave a child without consent unblurred,
// so "no match" (blur) is always the safe answer.
// Pure and synchronous: ~6 ms per query against 50,000 references (MEASURED.md).

export interface Reference {
  pupilId: number;
  descriptor: Float32Array;
}

export interface MatchOptions {
  /** Best distance must be below this. 0.5 accepts ~90% of genuine pairs and ~0% of impostors;
   *  0.6 matched 38% of strangers in group photos with 5 references each (MEASURED.md). */
  threshold?: number;
  /** The runner-up PUPIL must be at least this much further than the best one. */
  margin?: number;
  /** Pupils expected in this photo (event participants): anyone else needs outsiderMargin too. */
  candidates?: Set<number>;
  /** A non-candidate must be this much further below the threshold AND this much further
   *  ahead of the runner-up than a candidate. */
  outsiderMargin?: number;
  /** Compare ONLY with these pupils' references ("only my child": the parent's own children);
   *  nobody else is even measured. Margins then apply among these pupils. */
  within?: ReadonlySet<number>;
}

export interface Match {
  pupilId: number;
  distance: number;
  /** Distance to the closest OTHER pupil; Infinity when there is no other pupil. */
  runnerUpDistance: number;
}

/** Calibrated with `npm run eval` (docs/accuracy.md): recognised faces <= 0.455, nearest stranger 0.563. */
export const DEFAULT_THRESHOLD = 0.5;
/** 0.08: genuine distances spread roughly 0.3-0.5, so two different pupils within 0.08 of each
 *  other means the descriptor cannot tell them apart (siblings, twins, a blurry photo). */
export const DEFAULT_MARGIN = 0.08;
export const DEFAULT_OUTSIDER_MARGIN = 0.1;

const DIM = 128;

export class Gallery {
  /** All references in ONE contiguous array: a tight loop over it is ~75x faster than
   *  face-api's FaceMatcher with its arrays of objects. */
  private readonly vectors: Float32Array;
  private readonly owners: Int32Array;

  constructor(references: readonly Reference[]) {
    const usable = references.filter((r) => r.descriptor.length === DIM && r.descriptor.every(Number.isFinite));
    this.vectors = new Float32Array(usable.length * DIM);
    this.owners = new Int32Array(usable.length);
    usable.forEach((r, i) => {
      this.vectors.set(r.descriptor, i * DIM);
      this.owners[i] = r.pupilId;
    });
  }

  get size(): number {
    return this.owners.length;
  }

  /** Whether this pupil has at least one usable reference here (can be recognised at all). */
  has(pupilId: number): boolean {
    return this.owners.includes(pupilId);
  }

  match(descriptor: Float32Array, opts: MatchOptions = {}): Match | null {
    const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    const margin = opts.margin ?? DEFAULT_MARGIN;
    if (descriptor.length !== DIM || !descriptor.every(Number.isFinite)) return null;
    const perPupil = this.distancesByPupil(descriptor, opts.within);
    let best: { pupilId: number; distance: number } | null = null;
    let runnerUp = Infinity;
    for (const [pupilId, distance] of perPupil) {
      if (!best || distance < best.distance) {
        if (best) runnerUp = best.distance;
        best = { pupilId, distance };
      } else if (distance < runnerUp) {
        runnerUp = distance;
      }
    }
    if (!best) return null;
    const isOutsider = opts.candidates !== undefined && !opts.candidates.has(best.pupilId);
    // An outsider (not expected at this event) must be clearer on both counts: a stranger who
    // merely resembles a pupil from another class must not be taken for them.
    const extra = isOutsider ? (opts.outsiderMargin ?? DEFAULT_OUTSIDER_MARGIN) : 0;
    if (!(best.distance < threshold - extra) || runnerUp - best.distance < margin + extra) return null;
    return { pupilId: best.pupilId, distance: best.distance, runnerUpDistance: runnerUp };
  }

  /** Per pupil, the minimum distance over that pupil's references (enrolment checks use it). */
  distancesByPupil(q: Float32Array, within?: ReadonlySet<number>): Map<number, number> {
    const result = new Map<number, number>();
    const v = this.vectors;
    for (let i = 0; i < this.owners.length; i += 1) {
      if (within && !within.has(this.owners[i])) continue;
      let sum = 0;
      for (let k = 0, o = i * DIM; k < DIM; k += 1, o += 1) {
        const d = v[o] - q[k];
        sum += d * d;
      }
      const distance = Math.sqrt(sum);
      const owner = this.owners[i];
      const prev = result.get(owner);
      if (prev === undefined || distance < prev) result.set(owner, distance);
    }
    return result;
  }
}

export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k += 1) sum += (a[k] - b[k]) ** 2;
  return Math.sqrt(sum);
}
