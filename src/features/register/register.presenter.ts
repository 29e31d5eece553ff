import type { BiometricConsent, PhotoConsent, ReferenceInfo } from './consents.repo';
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

export const presentPhotoConsent = (c: PhotoConsent) => ({
  id: c.id,
  status: c.status,
  givenBy: c.givenBy,
  givenOn: c.givenOn,
  reviewOn: c.reviewOn,
  note: c.note,
  recordedBy: c.recordedBy,
  recordedAt: c.recordedAt,
});

export const presentBiometricConsent = (c: BiometricConsent) => ({
  id: c.id,
  parentConsent: c.parentConsent,
  parentObjection: c.parentObjection,
  childObjection: c.childObjection,
  givenBy: c.givenBy,
  note: c.note,
  recordedBy: c.recordedBy,
  recordedAt: c.recordedAt,
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
  photoConsent: { state: r.photoState, current: r.photoCurrent, givenOn: r.photo?.givenOn ?? null, reviewOn: r.photo?.reviewOn ?? null },
  biometricConsent: { holds: r.biometricHolds },
  references: r.references,
});

export const presentPupilDetail = (d: ReturnType<ReturnType<typeof pupilsService>['pupilDetail']>) => ({
  pupil: presentPupil(d.pupil),
  guardians: d.guardians.map(presentGuardian),
  photoConsent: { state: d.photoState, current: d.photoCurrent },
  photoConsents: d.photoConsents.map(presentPhotoConsent),
  biometricConsent: { holds: d.biometricHolds },
  biometricConsents: d.biometricConsents.map(presentBiometricConsent),
  references: d.references.map(presentReference),
});

/** A parent's view of their own child: enough to recognise them, nothing about consent. */
export const presentChild = (p: Pupil) => ({ id: p.id, firstName: p.firstName, lastName: p.lastName, className: p.className });
