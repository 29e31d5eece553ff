// The consent decision for one face. Fail closed: a face stays visible only when it was
// positively matched (strict threshold and margin, decided by the matcher) to the checking
// parent's own child, or to a pupil whose photo-sharing consent is current. Everything else,
// including every face in "only my child" mode that is not the parent's child, is blurred.

export type Verdict = 'own_child' | 'consented' | 'no_consent' | 'unknown';

export type CheckMode = 'standard' | 'only_my_child';

export interface VerdictInput {
  /** The pupil the matcher is sure of, or null (no descriptor, no match, uncertain). */
  matchedPupilId: number | null;
  ownChildren: ReadonlySet<number>;
  consentCurrent: ReadonlyMap<number, boolean>;
  /** Matched pupils whose face may be a brother's or sister's who is not enrolled (a twin):
   *  for anyone but their own parents the face is nobody certain. */
  mayBeSibling?: ReadonlySet<number>;
  mode: CheckMode;
}

export function decideVerdict(i: VerdictInput): Verdict {
  if (i.matchedPupilId === null) return 'unknown';
  if (i.ownChildren.has(i.matchedPupilId)) return 'own_child';
  if (i.mayBeSibling?.has(i.matchedPupilId)) return 'unknown';
  if (i.mode === 'standard' && i.consentCurrent.get(i.matchedPupilId) === true) return 'consented';
  return 'no_consent';
}

export const isVisible = (v: Verdict): boolean => v === 'own_child' || v === 'consented';

/** A pupil appears once in a photo. When two faces both match the same pupil, at least one is
 *  someone else (a sibling, a twin, a look-alike who is not enrolled), and the closer match is
 *  not reliably the right one: every face claiming that pupil becomes uncertain, so blurred. */
export function withoutAmbiguousMatches<T extends { pupilId: number } | null>(matches: T[]): Array<T | null> {
  const claims = new Map<number, number>();
  for (const m of matches) if (m) claims.set(m.pupilId, (claims.get(m.pupilId) ?? 0) + 1);
  return matches.map((m) => (m && claims.get(m.pupilId) === 1 ? m : null));
}
