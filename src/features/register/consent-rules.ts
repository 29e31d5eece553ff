// The two consent decisions, kept pure so they can be tested as tables and reused by every caller
// (pupil list, summary, photo check). Both fail closed: anything unclear means "no consent".

export type PupilStatus = 'on_roll' | 'left';
export type PhotoConsentStatus = 'granted' | 'refused' | 'not_asked';

export interface PhotoConsentRecord {
  status: PhotoConsentStatus;
  givenOn: string;
  reviewOn: string | null;
}

export interface BiometricConsentRecord {
  parentConsent: boolean;
  parentObjection: boolean;
  childObjection: boolean;
}

/** A grant counts only while the pupil is on roll and until its review date (inclusive). A grant
 *  without a review date does not count: every grant must be reviewed. */
export function photoConsentIsCurrent(
  latest: PhotoConsentRecord | null | undefined,
  today: string,
  pupilStatus: PupilStatus,
): boolean {
  if (!latest || latest.status !== 'granted' || pupilStatus !== 'on_roll') return false;
  return latest.reviewOn !== null && latest.reviewOn >= today;
}

/** What the register shows: the latest record's state, with a lapsed grant called expired. */
export type PhotoConsentState = PhotoConsentStatus | 'expired';

export function photoConsentState(latest: PhotoConsentRecord | null | undefined, today: string): PhotoConsentState {
  if (!latest) return 'not_asked';
  if (latest.status === 'granted' && (latest.reviewOn === null || latest.reviewOn < today)) return 'expired';
  return latest.status;
}

/** Protection of Freedoms Act 2012 s.26: a parent must consent, and any objection — a parent's,
 *  or the child's own refusal at any age — overrides that consent. No record means no consent. */
export function biometricConsentHolds(latest: BiometricConsentRecord | null | undefined): boolean {
  if (!latest) return false;
  return latest.parentConsent && !latest.parentObjection && !latest.childObjection;
}

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
