import type { Db } from '../../platform/db';
import type { BiometricConsentRecord, PhotoConsentRecord, PhotoConsentStatus } from './consent-rules';

/** What every consent record carries besides its answer: who gave it, who recorded it, when. */
interface ConsentEntry {
  id: number;
  pupilId: number;
  givenBy: string;
  note: string | null;
  recordedBy: number | null;
  recordedAt: string;
}

export interface PhotoConsent extends PhotoConsentRecord, ConsentEntry {}

export interface BiometricConsent extends BiometricConsentRecord, ConsentEntry {}

export interface ReferenceInfo {
  id: number;
  pupilId: number;
  faceWidth: number;
  quality: number;
  createdBy: number | null;
  createdAt: string;
}

interface PhotoRow {
  id: number; pupil_id: number; status: PhotoConsentStatus; given_by: string; given_on: string; review_on: string | null;
  note: string | null; recorded_by: number | null; recorded_at: string;
}
interface BioRow {
  id: number; pupil_id: number; parent_consent: number; parent_objection: number; child_objection: number;
  given_by: string; note: string | null; recorded_by: number | null; recorded_at: string;
}
interface RefRow { id: number; pupil_id: number; face_width: number; quality: number; created_by: number | null; created_at: string }

const toPhoto = (r: PhotoRow): PhotoConsent => ({
  id: r.id, pupilId: r.pupil_id, status: r.status, givenBy: r.given_by, givenOn: r.given_on, reviewOn: r.review_on,
  note: r.note, recordedBy: r.recorded_by, recordedAt: r.recorded_at,
});
const toBio = (r: BioRow): BiometricConsent => ({
  id: r.id, pupilId: r.pupil_id, parentConsent: r.parent_consent === 1, parentObjection: r.parent_objection === 1,
  childObjection: r.child_objection === 1, givenBy: r.given_by, note: r.note, recordedBy: r.recorded_by, recordedAt: r.recorded_at,
});
const toRef = (r: RefRow): ReferenceInfo => ({
  id: r.id, pupilId: r.pupil_id, faceWidth: r.face_width, quality: r.quality, createdBy: r.created_by, createdAt: r.created_at,
});

// "Latest" is the highest id: rows are append-only, so insertion order is the order of record.
const LATEST_PHOTO = 'SELECT * FROM photo_consents WHERE id IN (SELECT MAX(id) FROM photo_consents GROUP BY pupil_id)';
const LATEST_BIO = 'SELECT * FROM biometric_consents WHERE id IN (SELECT MAX(id) FROM biometric_consents GROUP BY pupil_id)';

/** Prepared SQL for the consent histories and the encrypted reference faces. */
export function consentsRepo(db: Db) {
  const q = {
    photoHistory: db.prepare<[number], PhotoRow>('SELECT * FROM photo_consents WHERE pupil_id = ? ORDER BY id DESC'),
    latestPhoto: db.prepare<[number], PhotoRow>('SELECT * FROM photo_consents WHERE pupil_id = ? ORDER BY id DESC LIMIT 1'),
    allLatestPhoto: db.prepare<[], PhotoRow>(LATEST_PHOTO),
    insertPhoto: db.prepare(
      `INSERT INTO photo_consents (pupil_id, status, given_by, given_on, review_on, note, recorded_by, recorded_at)
       VALUES (@pupilId, @status, @givenBy, @givenOn, @reviewOn, @note, @recordedBy, @recordedAt)`),
    bioHistory: db.prepare<[number], BioRow>('SELECT * FROM biometric_consents WHERE pupil_id = ? ORDER BY id DESC'),
    latestBio: db.prepare<[number], BioRow>('SELECT * FROM biometric_consents WHERE pupil_id = ? ORDER BY id DESC LIMIT 1'),
    allLatestBio: db.prepare<[], BioRow>(LATEST_BIO),
    insertBio: db.prepare(
      `INSERT INTO biometric_consents (pupil_id, parent_consent, parent_objection, child_objection, given_by, note, recorded_by, recorded_at)
       VALUES (@pupilId, @parentConsent, @parentObjection, @childObjection, @givenBy, @note, @recordedBy, @recordedAt)`),
    refsOf: db.prepare<[number], RefRow>(
      'SELECT id, pupil_id, face_width, quality, created_by, created_at FROM reference_faces WHERE pupil_id = ? ORDER BY id'),
    refCounts: db.prepare<[], { pupil_id: number; n: number }>('SELECT pupil_id, COUNT(*) AS n FROM reference_faces GROUP BY pupil_id'),
    countRefs: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM reference_faces WHERE pupil_id = ?'),
    insertRef: db.prepare(
      `INSERT INTO reference_faces (pupil_id, descriptor_enc, thumbnail_enc, face_width, quality, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`),
    thumbnail: db.prepare<[number, number], { thumbnail_enc: Buffer | null }>(
      'SELECT thumbnail_enc FROM reference_faces WHERE id = ? AND pupil_id = ?'),
    deleteRef: db.prepare('DELETE FROM reference_faces WHERE id = ? AND pupil_id = ?'),
    deleteRefsOf: db.prepare('DELETE FROM reference_faces WHERE pupil_id = ?'),
    allDescriptors: db.prepare<[], { pupil_id: number; descriptor_enc: Buffer }>(
      'SELECT pupil_id, descriptor_enc FROM reference_faces ORDER BY id'),
  };

  return {
    photoHistory: (pupilId: number) => q.photoHistory.all(pupilId).map(toPhoto),
    latestPhoto: (pupilId: number) => {
      const r = q.latestPhoto.get(pupilId);
      return r ? toPhoto(r) : undefined;
    },
    /** Latest photo consent of every pupil that has one, by pupil id. */
    allLatestPhoto: () => new Map(q.allLatestPhoto.all().map((r) => [r.pupil_id, toPhoto(r)])),
    insertPhoto: (c: Omit<PhotoConsent, 'id'>): number => Number(q.insertPhoto.run(c).lastInsertRowid),
    bioHistory: (pupilId: number) => q.bioHistory.all(pupilId).map(toBio),
    latestBio: (pupilId: number) => {
      const r = q.latestBio.get(pupilId);
      return r ? toBio(r) : undefined;
    },
    allLatestBio: () => new Map(q.allLatestBio.all().map((r) => [r.pupil_id, toBio(r)])),
    insertBio: (c: Omit<BiometricConsent, 'id'>): number =>
      Number(q.insertBio.run({
        ...c, parentConsent: Number(c.parentConsent), parentObjection: Number(c.parentObjection), childObjection: Number(c.childObjection),
      }).lastInsertRowid),
    referencesOf: (pupilId: number) => q.refsOf.all(pupilId).map(toRef),
    referenceCounts: () => new Map(q.refCounts.all().map((r) => [r.pupil_id, r.n])),
    countReferences: (pupilId: number) => q.countRefs.get(pupilId)!.n,
    insertReference: (r: { pupilId: number; descriptorEnc: Buffer; thumbnailEnc: Buffer | null; faceWidth: number; quality: number; createdBy: number | null; createdAt: string }): number =>
      Number(q.insertRef.run(r.pupilId, r.descriptorEnc, r.thumbnailEnc, r.faceWidth, r.quality, r.createdBy, r.createdAt).lastInsertRowid),
    /** undefined: no such reference; null: a reference without a thumbnail. */
    thumbnail: (pupilId: number, refId: number) => {
      const r = q.thumbnail.get(refId, pupilId);
      return r ? r.thumbnail_enc : undefined;
    },
    deleteReference: (pupilId: number, refId: number) => q.deleteRef.run(refId, pupilId).changes === 1,
    deleteReferencesOf: (pupilId: number): number => q.deleteRefsOf.run(pupilId).changes,
    allDescriptors: () => q.allDescriptors.all().map((r) => ({ pupilId: r.pupil_id, descriptorEnc: r.descriptor_enc })),
  };
}

export type ConsentsRepo = ReturnType<typeof consentsRepo>;
