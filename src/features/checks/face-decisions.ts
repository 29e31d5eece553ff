// Who may stay visible: the matching and the consent decision shared by every kind of check
// (photos, and each face track of a video). One place, so a video can never be more permissive
// than a photo.
import type { Match } from '../faces/matcher';
import type { CheckMode, Verdict } from './verdict';
import { decideVerdict } from './verdict';
import type { RegisterPort } from './checks.service';

export interface MatchingSettings {
  threshold: number;
  margin: number;
  outsiderMargin: number;
}

export interface FaceMatching {
  /** The parent's own children (id -> first name). */
  children: Map<number, string>;
  /** Same strict threshold and margin for every kind of check; null when not sure. */
  match(descriptor: Float32Array | null): Match | null;
}

/** The matcher for one check: "only my child" compares faces with the parent's own children
 *  only (no other pupil is even measured); an event narrows to its participants first. */
export function matchingFor(register: RegisterPort, settings: MatchingSettings, userId: number, mode: CheckMode, candidates?: Set<number>): FaceMatching {
  const gallery = register.galleryForChecks();
  const children = new Map(register.childrenOf(userId).map((c) => [c.id, c.firstName]));
  const within = mode === 'only_my_child' ? new Set(children.keys()) : undefined;
  return {
    children,
    match: (d) => (d ? gallery.match(d, { ...settings, candidates, within }) : null),
  };
}

export interface FaceDecision {
  verdict: Verdict;
  /** Only for the parent's own child. */
  pupil?: { id: number; firstName: string };
}

/** Verdicts for faces already matched (ambiguous claims removed): consent and look-alike
 *  siblings are looked up once for all of them. */
export function decideFaces(register: RegisterPort, matching: FaceMatching, matchedIds: Array<number | null>, mode: CheckMode): FaceDecision[] {
  const ids = [...new Set(matchedIds.filter((m): m is number => m !== null))];
  const consent = register.photoConsentCurrent(ids);
  const mayBeSibling = register.mayBeUnenrolledSibling(ids);
  const ownChildren = new Set(matching.children.keys());
  return matchedIds.map((matchedPupilId) => {
    const verdict = decideVerdict({ matchedPupilId, ownChildren, consentCurrent: consent, mayBeSibling, mode });
    return verdict === 'own_child'
      ? { verdict, pupil: { id: matchedPupilId!, firstName: matching.children.get(matchedPupilId!)! } }
      : { verdict };
  });
}
