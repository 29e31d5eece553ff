import { biometricConsentHolds } from './consent-rules';
import type { RegisterCore } from './register.core';

// Whether the photo check can recognise a parent's own child, and how often it did not. Only the
// parent's own children are ever asked about here; the office reads the counts per pupil.

/** Why a child cannot be, or was not, recognised. */
export type Recognition = 'enrolled' | 'no_biometric_consent' | 'no_reference';
export type NotRecognisedReason = 'no_match' | Exclude<Recognition, 'enrolled'>;

export interface UnrecognisedCounts {
  noMatch: number;
  noReference: number;
  lastAt: string;
}

export function recognitionService(c: RegisterCore, enrolledPupils: () => { has(pupilId: number): boolean }) {
  const upsert = c.db.prepare(`INSERT INTO pupil_unrecognised_counts (pupil_id, no_match, no_reference, last_at)
    VALUES (@pupilId, @noMatch, @noReference, @at)
    ON CONFLICT(pupil_id) DO UPDATE SET no_match = no_match + @noMatch, no_reference = no_reference + @noReference, last_at = @at`);
  const read = c.db.prepare<[number], { no_match: number; no_reference: number; last_at: string }>(
    'SELECT no_match, no_reference, last_at FROM pupil_unrecognised_counts WHERE pupil_id = ?');

  return {
    /** For the photo check, about the checking parent's own children only. */
    recognitionOf(pupilIds: number[]): Map<number, Recognition> {
      const gallery = enrolledPupils();
      return new Map(pupilIds.map((id) => {
        if (gallery.has(id)) return [id, 'enrolled'];
        return [id, biometricConsentHolds(c.consents.latestBio(id)) ? 'no_reference' : 'no_biometric_consent'];
      }));
    },

    /** One photo checked by the pupil's parent did not recognise them. */
    recordNotRecognised(pupilId: number, reason: NotRecognisedReason): void {
      if (!c.pupils.byId(pupilId)) return;
      upsert.run({ pupilId, noMatch: reason === 'no_match' ? 1 : 0, noReference: reason === 'no_match' ? 0 : 1, at: c.now() });
    },

    unrecognisedCounts(pupilId: number): UnrecognisedCounts | null {
      const row = read.get(pupilId);
      return row ? { noMatch: row.no_match, noReference: row.no_reference, lastAt: row.last_at } : null;
    },
  };
}
