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
  mode: CheckMode;
}

export function decideVerdict(i: VerdictInput): Verdict {
  if (i.matchedPupilId === null) return 'unknown';
  if (i.ownChildren.has(i.matchedPupilId)) return 'own_child';
  if (i.mode === 'standard' && i.consentCurrent.get(i.matchedPupilId) === true) return 'consented';
  return 'no_consent';
}

export const isVisible = (v: Verdict): boolean => v === 'own_child' || v === 'consented';
