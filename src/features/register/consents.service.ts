import { badRequest, notFound } from '../../platform/errors';
import {
  biometricConsentHolds, biometricSummary, oneYearAfter, photoDecision,
  type ConsentKind, type Position, type PositionSource, type PhotoConsentStatus,
} from './consent-rules';
import type { ConsentPerson } from './consents.repo';
import type { RegisterCore } from './register.core';

/** Whose position: the child, a parent account linked to the pupil, a person named on a paper
 *  form (created on first use), or a person already on the pupil's record. */
export type PersonRef =
  | { kind: 'child' }
  | { kind: 'parent_account'; userId: number }
  | { kind: 'named'; name: string; relationship?: string | null }
  | { personId: number };

export interface PositionInput {
  consent: ConsentKind;
  position: Position;
  source: PositionSource;
  givenOn?: string;
  /** Photo consents only; a consent is reviewed a year on unless told otherwise. */
  reviewOn?: string;
  /** The version of the wording the person was shown (online), or the form's reference. */
  shown?: string | null;
  note: string | null;
}

/** The old snapshot forms, kept for API clients: recorded as the named person's position. */
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

const PHOTO_POSITION: Record<PhotoConsentStatus, Position> = { granted: 'consents', refused: 'objects', not_asked: 'withdrawn' };

export function consentsService(c: RegisterCore) {
  const { consents, audit } = c;

  /** The pupil's state today, derived from each person's latest position. */
  function consentState(pupilId: number) {
    const pupil = c.requirePupil(pupilId);
    const latest = consents.latestPositions(pupilId);
    const bio = biometricSummary(latest.biometric);
    return {
      photo: photoDecision(latest.photo, c.today(), pupil.status),
      biometric: { ...bio, holds: biometricConsentHolds(bio) },
    };
  }

  function resolvePerson(pupilId: number, who: PersonRef, actorId: number | null): ConsentPerson {
    if ('personId' in who) {
      const person = consents.person(pupilId, who.personId);
      if (!person) throw notFound('person');
      return person;
    }
    if (who.kind === 'parent_account' && !c.pupils.guardiansOf(pupilId).some((g) => g.userId === who.userId)) throw notFound('guardian link');
    const lookup = who.kind === 'named' ? { kind: who.kind, name: who.name.trim() } : who;
    let id = consents.findPerson(pupilId, lookup);
    if (id === undefined) {
      const relationship = who.kind === 'named' ? who.relationship ?? null
        : who.kind === 'parent_account' ? c.pupils.guardiansOf(pupilId).find((g) => g.userId === who.userId)!.relationship : null;
      id = consents.insertPerson({
        pupilId, kind: who.kind, userId: who.kind === 'parent_account' ? who.userId : null,
        name: who.kind === 'named' ? who.name.trim() : null, relationship, createdBy: actorId, createdAt: c.now(),
      });
    }
    return consents.person(pupilId, id)!;
  }

  function validate(person: ConsentPerson, input: PositionInput, today: string) {
    if (person.kind === 'child' && input.position === 'consents') {
      throw badRequest('The child’s agreement is not consent: record their refusal, or withdraw it.');
    }
    if (input.consent === 'biometric' && input.position === 'consents' && input.source === 'office') {
      throw badRequest('Biometric consent must be given in writing: on a paper form or online.');
    }
    const givenOn = input.givenOn ?? today;
    if (givenOn > today) throw badRequest('Consent cannot be recorded as given on a future date.');
    if (input.reviewOn !== undefined && !(input.consent === 'photo' && input.position === 'consents')) {
      throw badRequest('Only a photo-sharing consent has a review date.');
    }
    const reviewOn = input.consent === 'photo' && input.position === 'consents' ? input.reviewOn ?? oneYearAfter(givenOn) : null;
    if (reviewOn !== null && reviewOn < givenOn) throw badRequest('The review date cannot be before the date consent was given.');
    return { givenOn, reviewOn };
  }

  /** Appends one person's position. When biometric consent stops holding, the pupil's face
   *  templates are deleted in the same transaction; when photo or biometric consent ceases, stored
   *  safe copies that show the pupil are deleted at once. */
  function recordPosition(pupilId: number, who: PersonRef, input: PositionInput, actorId: number | null) {
    return c.db.transaction(() => {
      c.requirePupil(pupilId);
      const person = resolvePerson(pupilId, who, actorId);
      const { givenOn, reviewOn } = validate(person, input, c.today());
      const before = consentState(pupilId);
      const positionId = consents.insertPosition({
        pupilId, personId: person.id, consent: input.consent, position: input.position, source: input.source, givenOn, reviewOn,
        shown: input.shown ?? null, note: input.note, recordedBy: actorId, recordedAt: c.now(),
      });
      const after = consentState(pupilId);
      // Templates never outlive the consent; a photo answer alone leaves the gallery as it was.
      const deletedReferences = !after.biometric.holds && consents.countReferences(pupilId) > 0
        ? c.purgeReferences(pupilId, 'biometric_consent_withdrawn', actorId) : 0;
      if (after.biometric.holds !== before.biometric.holds) c.galleryChanged();
      const ceased = (before.photo.current && !after.photo.current) || (before.biometric.holds && !after.biometric.holds);
      const deletedChecks = ceased ? c.consentCeased(pupilId) : 0;
      audit.record('consent_position.recorded', {
        actorId, subjectType: 'pupil', subjectId: pupilId,
        details: {
          positionId, personId: person.id, personKind: person.kind, consent: input.consent, position: input.position, source: input.source,
          shown: input.shown ?? null, photoCurrent: after.photo.current, biometricHolds: after.biometric.holds, deletedReferences, deletedChecks,
        },
      });
      return { position: consents.history(pupilId).find((p) => p.id === positionId)!, person, state: after, deletedReferences, deletedChecks };
    })();
  }

  return {
    consentState,
    recordPosition,
    /** Several answers of one person from one form, all or none. */
    recordPositions(pupilId: number, who: PersonRef, inputs: PositionInput[], actorId: number | null) {
      return c.db.transaction(() => {
        let person = who;
        return inputs.map((input) => {
          const r = recordPosition(pupilId, person, input, actorId);
          person = { personId: r.person.id };
          return r;
        });
      })();
    },
    /** Everyone with a say, with their latest positions, and the whole history newest first. */
    consentPositions(pupilId: number) {
      c.requirePupil(pupilId);
      const history = consents.history(pupilId);
      const latestOf = (personId: number, consent: ConsentKind) => history.find((h) => h.personId === personId && h.consent === consent) ?? null;
      const people = consents.people(pupilId).map((person) => ({ person, photo: latestOf(person.id, 'photo'), biometric: latestOf(person.id, 'biometric') }));
      return { people, history };
    },

    /** The old "snapshot" photo form: the named person's position (source: paper form). */
    recordPhotoConsent(pupilId: number, input: PhotoConsentInput, actorId: number) {
      const position = PHOTO_POSITION[input.status];
      const r = recordPosition(pupilId, { kind: 'named', name: input.givenBy }, {
        consent: 'photo', position, source: 'paper', givenOn: input.givenOn, note: input.note,
        reviewOn: position === 'consents' ? input.reviewOn : undefined,
      }, actorId);
      return {
        id: r.position.id, status: input.status, givenBy: r.person.name!, givenOn: r.position.givenOn, reviewOn: r.position.reviewOn,
        note: r.position.note, recordedBy: r.position.recordedBy, recordedAt: r.position.recordedAt,
      };
    },

    /** The old biometric form, read as what one named person said, plus the child's refusal when
     *  ticked. An unticked "child objects" changes nothing: only the child withdraws a refusal. */
    recordBiometricConsent(pupilId: number, input: BiometricConsentInput, actorId: number) {
      return c.db.transaction(() => {
        const position: Position = input.parentObjection ? 'objects' : input.parentConsent ? 'consents' : 'withdrawn';
        let r = recordPosition(pupilId, { kind: 'named', name: input.givenBy }, { consent: 'biometric', position, source: 'paper', note: input.note }, actorId);
        let deletedReferences = r.deletedReferences;
        if (input.childObjection) {
          r = recordPosition(pupilId, { kind: 'child' }, { consent: 'biometric', position: 'objects', source: 'office', note: input.note }, actorId);
          deletedReferences += r.deletedReferences;
        }
        const { holds, ...summary } = r.state.biometric;
        return { consent: { ...summary, givenBy: input.givenBy.trim(), note: input.note }, holds, deletedReferences };
      })();
    },
  };
}
