import { badRequest } from '../../platform/errors';
import { biometricConsentHolds, oneYearAfter, type PhotoConsentStatus } from './consent-rules';
import type { RegisterCore } from './register.core';

export interface PhotoConsentInput {
  status: PhotoConsentStatus;
  givenBy: string;
  givenOn?: string;
  reviewOn?: string;
  note: string | null;
}

export interface BiometricConsentInput {
  parentConsent: boolean;
  parentObjection: boolean;
  childObjection: boolean;
  givenBy: string;
  note: string | null;
}

export function consentsService(c: RegisterCore) {
  const { consents, audit } = c;

  return {
    /** Appends to the photo-sharing history; a grant is reviewed a year on unless told otherwise. */
    recordPhotoConsent(pupilId: number, input: PhotoConsentInput, actorId: number) {
      c.requirePupil(pupilId);
      const today = c.today();
      const givenOn = input.givenOn ?? today;
      if (givenOn > today) throw badRequest('Consent cannot be recorded as given on a future date.');
      const reviewOn = input.reviewOn ?? (input.status === 'granted' ? oneYearAfter(givenOn) : null);
      if (reviewOn !== null && reviewOn < givenOn) throw badRequest('The review date cannot be before the date consent was given.');
      const id = consents.insertPhoto({
        pupilId, status: input.status, givenBy: input.givenBy, givenOn, reviewOn, note: input.note,
        recordedBy: actorId, recordedAt: c.now(),
      });
      audit.record('photo_consent.recorded', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { consentId: id, status: input.status } });
      return consents.latestPhoto(pupilId)!;
    },

    /** Appends the new biometric state. When consent no longer holds, the pupil's face templates
     *  are deleted in the same transaction: they must not outlive the consent by a moment. */
    recordBiometricConsent(pupilId: number, input: BiometricConsentInput, actorId: number) {
      return c.db.transaction(() => {
        c.requirePupil(pupilId);
        const heldBefore = biometricConsentHolds(consents.latestBio(pupilId));
        const id = consents.insertBio({ pupilId, ...input, recordedBy: actorId, recordedAt: c.now() });
        const holds = biometricConsentHolds(input);
        const deletedReferences = holds ? 0 : c.purgeReferences(pupilId, 'biometric_consent_withdrawn', actorId);
        if (holds !== heldBefore) c.galleryChanged();
        audit.record('biometric_consent.recorded', {
          actorId, subjectType: 'pupil', subjectId: pupilId, details: { consentId: id, holds, heldBefore, deletedReferences },
        });
        return { consent: consents.latestBio(pupilId)!, holds, deletedReferences };
      })();
    },
  };
}
