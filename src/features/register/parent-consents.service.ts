import { AppError, notFound } from '../../platform/errors';
import { biometricConsentHolds, biometricSummary, photoDecision, type ConsentKind, type Position } from './consent-rules';
import { WORDING_VERSION } from './consent-wording';
import type { consentsService } from './consents.service';
import type { RegisterCore } from './register.core';

/** What a parent's own answer is, in the words of the form. */
export type ParentAnswer = 'consents' | 'objects' | 'none';

/** A parent's view of one of their own children: the resulting state, and their own position.
 *  Never who else said what: no other person's name or position leaves through here. */
export interface ChildConsentView {
  pupil: { id: number; firstName: string; lastName: string };
  photo: { inEffect: boolean; yourAnswer: ParentAnswer; yourReviewOn: string | null; yourAnsweredOn: string | null };
  biometric: { inEffect: boolean; yourAnswer: ParentAnswer; yourAnsweredOn: string | null };
}

/** Online consent: a signed-in parent gives, refuses or withdraws their own position. */
export function parentConsentsService(c: RegisterCore, consents: ReturnType<typeof consentsService>) {
  function ownChild(userId: number, pupilId: number) {
    // Anyone else's child gets the same 404 as a pupil that does not exist.
    const pupil = c.pupils.childrenOf(userId).find((p) => p.id === pupilId);
    if (!pupil) throw notFound('pupil');
    return pupil;
  }

  function view(userId: number, pupilId: number): ChildConsentView {
    const pupil = ownChild(userId, pupilId);
    const latest = c.consents.latestPositions(pupil.id);
    const personId = c.consents.findPerson(pupil.id, { kind: 'parent_account', userId });
    const history = personId === undefined ? [] : c.consents.history(pupil.id).filter((h) => h.personId === personId);
    const mine = (consent: ConsentKind) => history.find((h) => h.consent === consent);
    const answer = (consent: ConsentKind): ParentAnswer => {
      const p = mine(consent)?.position;
      return p === 'consents' || p === 'objects' ? p : 'none';
    };
    const photoMine = mine('photo');
    return {
      pupil: { id: pupil.id, firstName: pupil.firstName, lastName: pupil.lastName },
      photo: {
        inEffect: photoDecision(latest.photo, c.today(), pupil.status).current,
        yourAnswer: answer('photo'),
        yourReviewOn: photoMine?.position === 'consents' ? photoMine.reviewOn : null,
        yourAnsweredOn: photoMine?.givenOn ?? null,
      },
      biometric: {
        inEffect: biometricConsentHolds(biometricSummary(latest.biometric)),
        yourAnswer: answer('biometric'),
        yourAnsweredOn: mine('biometric')?.givenOn ?? null,
      },
    };
  }

  return {
    /** Each of the parent's own children on roll, with both consents. */
    myConsents: (userId: number): ChildConsentView[] => c.pupils.childrenOf(userId).map((p) => view(userId, p.id)),

    myConsent: view,

    /** Records the parent's own written position, with the version of the wording they were shown. */
    recordMyPosition(userId: number, pupilId: number, consent: ConsentKind, position: Position, wordingVersion: string): ChildConsentView {
      ownChild(userId, pupilId);
      if (wordingVersion !== WORDING_VERSION[consent]) {
        throw new AppError('wording_changed', 409, 'The wording of this form has changed since you opened it. Read it again and answer once more.');
      }
      consents.recordPosition(pupilId, { kind: 'parent_account', userId }, {
        consent, position, source: 'online', shown: `wording:${wordingVersion}`, note: null,
      }, userId);
      return view(userId, pupilId);
    },
  };
}
