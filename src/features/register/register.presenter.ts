import { consentWording } from './consent-wording';
import type { BiometricConsentRecord, PhotoDecision } from './consent-rules';
import type { ConsentPerson, ConsentPositionEntry, ReferenceInfo } from './consents.repo';
import type { Guardian, Pupil } from './pupils.repo';
import type { pupilsService, RegisterRow } from './pupils.service';

// What leaves the server about pupils. Face descriptors and thumbnails never appear here: the
// thumbnail has its own admin-only endpoint, descriptors never leave at all.

export const presentPupil = (p: Pupil) => ({
  id: p.id,
  upn: p.upn,
  firstName: p.firstName,
  lastName: p.lastName,
  className: p.className,
  yearGroup: p.yearGroup,
  status: p.status,
  leftAt: p.leftAt,
  noLookalikeSibling: { confirmedAt: p.noLookalikeSiblingAt, confirmedBy: p.noLookalikeSiblingBy },
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export const presentPerson = (p: ConsentPerson) => ({
  id: p.id,
  kind: p.kind,
  userId: p.userId,
  name: p.name,
  relationship: p.relationship,
  hasParentalResponsibility: p.hasResponsibility,
});

export const presentPosition = (p: ConsentPositionEntry) => ({
  id: p.id,
  personId: p.personId,
  consent: p.consent,
  position: p.position,
  source: p.source,
  givenOn: p.givenOn,
  reviewOn: p.reviewOn,
  shown: p.shown,
  note: p.note,
  recordedBy: p.recordedBy,
  recordedAt: p.recordedAt,
});

/** For the office: the resulting state of both consents. */
export const presentConsentState = (s: { photo: PhotoDecision; biometric: BiometricConsentRecord & { holds: boolean } }) => ({
  photoConsent: { state: s.photo.state, current: s.photo.current, reviewOn: s.photo.reviewOn },
  biometricConsent: {
    holds: s.biometric.holds, parentConsent: s.biometric.parentConsent, parentObjection: s.biometric.parentObjection, childObjection: s.biometric.childObjection,
  },
});

export const presentReference = (r: ReferenceInfo) => ({
  id: r.id,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  faceWidth: r.faceWidth,
  quality: r.quality,
});

export const presentGuardian = (g: Guardian) => ({
  userId: g.userId,
  name: g.name,
  email: g.email,
  relationship: g.relationship,
  invitationPending: g.invitationPending,
});

export const presentRegisterRow = (r: RegisterRow) => ({
  ...presentPupil(r.pupil),
  photoConsent: { state: r.photoState, current: r.photoCurrent, reviewOn: r.photo.reviewOn },
  biometricConsent: { holds: r.biometricHolds },
  references: r.references,
});

export const presentPupilDetail = (d: ReturnType<ReturnType<typeof pupilsService>['pupilDetail']>) => ({
  pupil: presentPupil(d.pupil),
  guardians: d.guardians.map(presentGuardian),
  ...presentConsentState({ photo: d.photo, biometric: { ...d.biometric, holds: d.biometricHolds } }),
  people: d.people.map(presentPerson),
  positions: d.positions.map(presentPosition),
  references: d.references.map(presentReference),
});

/** An organiser's view of a pupil in one of their events: who, which class, and the consent
 *  state; no parents, no answers, notes or history, no reference photos. */
export const presentPupilForOrganiser = (d: ReturnType<ReturnType<typeof pupilsService>['pupilDetail']>) => ({
  pupil: { id: d.pupil.id, firstName: d.pupil.firstName, lastName: d.pupil.lastName, className: d.pupil.className, yearGroup: d.pupil.yearGroup, status: d.pupil.status },
  photoConsent: { state: d.photo.state, current: d.photo.current, reviewOn: d.photo.reviewOn },
  biometricConsent: { holds: d.biometricHolds },
});

/** A parent's view of their own child: enough to recognise them, nothing about consent. */
export const presentChild = (p: Pupil) => ({ id: p.id, firstName: p.firstName, lastName: p.lastName, className: p.className });

/** Each consent's wording version and text for the API, so a client shows what the parent signs. */
export const presentWordingVersions = () => ({
  photo: consentWording('photo', 'your child'),
  biometric: consentWording('biometric', 'your child'),
});
