// The two consent decisions, kept pure so they can be tested as tables and reused by every caller
// (pupil list, summary, events, photo check, the parents' consent page). Both fail closed:
// anything unclear means "no consent".
//
// Consent is not one snapshot per pupil: each person with a say (the child, and each person with
// parental responsibility) has a position of their own, and the pupil's state is derived from the
// latest position of each person. A later "yes" from one parent never erases another's "no"; an
// objection ends only when the same person withdraws it.

export type PupilStatus = 'on_roll' | 'left';
/** The old snapshot answers, still accepted by the office's API as one named person's position. */
export type PhotoConsentStatus = 'granted' | 'refused' | 'not_asked';
export type ConsentKind = 'photo' | 'biometric';
export type Position = 'consents' | 'objects' | 'withdrawn';
/** paper: a signed form; online: the parent's own written answer here; office: noted by the office
 *  (a call, a conversation). Only paper and online are written consent (PoFA 2012 s.27). */
export type PositionSource = 'paper' | 'online' | 'office';

/** One person's latest position on one consent. */
export interface PersonPosition {
  personId: number;
  isChild: boolean;
  /** A named person from a form, or a parent account still linked to the pupil. The child has none. */
  hasResponsibility: boolean;
  position: Position;
  source: PositionSource;
  reviewOn: string | null;
}

/** The latest entry of each person, from a history in any order (higher id = later). */
export function latestByPerson<T extends { id: number; personId: number }>(history: T[]): T[] {
  const latest = new Map<number, T>();
  for (const h of history) {
    const seen = latest.get(h.personId);
    if (!seen || h.id > seen.id) latest.set(h.personId, h);
  }
  return [...latest.values()].sort((a, b) => a.id - b.id);
}

export type PhotoConsentState = 'granted' | 'refused' | 'not_asked' | 'expired';

export interface PhotoDecision {
  state: PhotoConsentState;
  /** May this pupil be shown to other parents today? */
  current: boolean;
  /** The latest review date among the consents that count (null when none). */
  reviewOn: string | null;
}

/** Photo sharing holds while at least one person with parental responsibility consents (until
 *  their review date, inclusive; a consent without one does not count), nobody's objection stands
 *  (the child's included) and the pupil is on roll. */
export function photoDecision(latest: PersonPosition[], today: string, pupilStatus: PupilStatus): PhotoDecision {
  const objection = latest.some((p) => p.position === 'objects');
  const consents = latest.filter((p) => p.position === 'consents' && p.hasResponsibility && !p.isChild);
  const live = consents.filter((p) => p.reviewOn !== null && p.reviewOn >= today);
  const reviewOn = maxDay((live.length ? live : consents).map((p) => p.reviewOn));
  if (objection) return { state: 'refused', current: false, reviewOn: null };
  if (live.length) return { state: 'granted', current: pupilStatus === 'on_roll', reviewOn };
  if (consents.length) return { state: 'expired', current: false, reviewOn };
  return { state: 'not_asked', current: false, reviewOn: null };
}

/** The biometric state in the terms of the Protection of Freedoms Act 2012 ss.26-27. */
export interface BiometricConsentRecord {
  /** At least one person with parental responsibility has consented in writing. */
  parentConsent: boolean;
  /** A parent (anyone but the child) objects. */
  parentObjection: boolean;
  /** The child refuses or objects, at any age. */
  childObjection: boolean;
}

export function biometricSummary(latest: PersonPosition[]): BiometricConsentRecord {
  const adults = latest.filter((p) => !p.isChild);
  return {
    parentConsent: adults.some((p) => p.position === 'consents' && p.hasResponsibility && p.source !== 'office'),
    parentObjection: adults.some((p) => p.position === 'objects'),
    childObjection: latest.some((p) => p.isChild && p.position === 'objects'),
  };
}

/** s.26: a parent must consent in writing, and any objection (a parent's, or the child's own
 *  refusal at any age) overrides that consent. No record means no consent. */
export function biometricConsentHolds(state: BiometricConsentRecord | null | undefined): boolean {
  if (!state) return false;
  return state.parentConsent && !state.parentObjection && !state.childObjection;
}

const maxDay = (days: Array<string | null>): string | null =>
  days.reduce<string | null>((max, d) => (d !== null && (max === null || d > max) ? d : max), null);

/** One year after a date; 29 February becomes 28 February rather than rolling into March. */
export function oneYearAfter(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y + 1, m, 0)).getUTCDate();
  return `${y + 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** A date n days after an ISO day. */
export function addDays(isoDay: string, days: number): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
