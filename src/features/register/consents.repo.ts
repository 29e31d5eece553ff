import type { Db } from '../../platform/db';
import {
  biometricSummary, type BiometricConsentRecord, type ConsentKind, type PersonPosition, type Position, type PositionSource,
} from './consent-rules';

export type PersonKind = 'child' | 'parent_account' | 'named';

/** Someone with a say in a pupil's consent: the child, a linked parent account, or a person named
 *  on a paper form. `hasResponsibility` is derived: a parent account only while still linked. */
export interface ConsentPerson {
  id: number;
  pupilId: number;
  kind: PersonKind;
  userId: number | null;
  /** The account's name for a parent account, the name on the form for a named person. */
  name: string | null;
  relationship: string | null;
  hasResponsibility: boolean;
  createdAt: string;
}

/** One entry of a person's append-only history. */
export interface ConsentPositionEntry {
  id: number;
  pupilId: number;
  personId: number;
  consent: ConsentKind;
  position: Position;
  source: PositionSource;
  givenOn: string;
  reviewOn: string | null;
  shown: string | null;
  note: string | null;
  recordedBy: number | null;
  recordedAt: string;
}

export interface ReferenceInfo {
  id: number;
  pupilId: number;
  faceWidth: number;
  quality: number;
  createdBy: number | null;
  createdAt: string;
}

interface PersonRow {
  id: number; pupil_id: number; kind: PersonKind; user_id: number | null; name: string | null; account_name: string | null;
  relationship: string | null; linked: number; created_at: string;
}
interface PositionRow {
  id: number; pupil_id: number; person_id: number; consent: ConsentKind; position: Position; source: PositionSource;
  given_on: string; review_on: string | null; shown: string | null; note: string | null; recorded_by: number | null; recorded_at: string;
}
interface LatestRow extends PositionRow { kind: PersonKind; linked: number }
interface SealedRow { id: number; pupil_id: number; descriptor_enc: Buffer; thumbnail_enc: Buffer | null; key_id: string | null }
interface RefRow { id: number; pupil_id: number; face_width: number; quality: number; created_by: number | null; created_at: string }

const toPerson = (r: PersonRow): ConsentPerson => ({
  id: r.id, pupilId: r.pupil_id, kind: r.kind, userId: r.user_id, name: r.kind === 'parent_account' ? r.account_name ?? r.name : r.name,
  relationship: r.relationship, hasResponsibility: r.kind === 'named' || (r.kind === 'parent_account' && r.linked === 1), createdAt: r.created_at,
});
const toPosition = (r: PositionRow): ConsentPositionEntry => ({
  id: r.id, pupilId: r.pupil_id, personId: r.person_id, consent: r.consent, position: r.position, source: r.source,
  givenOn: r.given_on, reviewOn: r.review_on, shown: r.shown, note: r.note, recordedBy: r.recorded_by, recordedAt: r.recorded_at,
});
const toPersonPosition = (r: LatestRow): PersonPosition => ({
  personId: r.person_id, isChild: r.kind === 'child', hasResponsibility: r.kind === 'named' || (r.kind === 'parent_account' && r.linked === 1),
  position: r.position, source: r.source, reviewOn: r.review_on,
});
const toRef = (r: RefRow): ReferenceInfo => ({
  id: r.id, pupilId: r.pupil_id, faceWidth: r.face_width, quality: r.quality, createdBy: r.created_by, createdAt: r.created_at,
});

const LINKED = 'EXISTS (SELECT 1 FROM guardians g WHERE g.pupil_id = cp.pupil_id AND g.user_id = cp.user_id)';
const PEOPLE = `SELECT cp.*, u.name AS account_name, ${LINKED} AS linked FROM consent_people cp LEFT JOIN users u ON u.id = cp.user_id`;
// Rows are append-only, so the highest id of each person and consent is their latest position.
const LATEST = `SELECT pos.*, cp.kind, ${LINKED} AS linked FROM consent_positions pos JOIN consent_people cp ON cp.id = pos.person_id
  WHERE pos.id IN (SELECT MAX(id) FROM consent_positions GROUP BY person_id, consent)`;

/** Prepared SQL for the consent positions and the encrypted reference faces. */
export function consentsRepo(db: Db) {
  const q = {
    people: db.prepare<[number], PersonRow>(`${PEOPLE} WHERE cp.pupil_id = ? ORDER BY cp.kind = 'child' DESC, cp.id`),
    person: db.prepare<[number, number], PersonRow>(`${PEOPLE} WHERE cp.id = ? AND cp.pupil_id = ?`),
    childPerson: db.prepare<[number], { id: number }>("SELECT id FROM consent_people WHERE pupil_id = ? AND kind = 'child'"),
    accountPerson: db.prepare<[number, number], { id: number }>("SELECT id FROM consent_people WHERE pupil_id = ? AND kind = 'parent_account' AND user_id = ?"),
    namedPerson: db.prepare<[number, string], { id: number }>("SELECT id FROM consent_people WHERE pupil_id = ? AND kind = 'named' AND name = ? COLLATE NOCASE"),
    insertPerson: db.prepare(
      `INSERT INTO consent_people (pupil_id, kind, user_id, name, relationship, created_by, created_at)
       VALUES (@pupilId, @kind, @userId, @name, @relationship, @createdBy, @createdAt)`),
    history: db.prepare<[number], PositionRow>('SELECT * FROM consent_positions WHERE pupil_id = ? ORDER BY id DESC'),
    latestOf: db.prepare<[number, number], LatestRow>(`SELECT pos.*, cp.kind, ${LINKED} AS linked
      FROM consent_positions pos JOIN consent_people cp ON cp.id = pos.person_id
      WHERE pos.id IN (SELECT MAX(id) FROM consent_positions WHERE pupil_id = ? GROUP BY person_id, consent) AND pos.pupil_id = ? ORDER BY pos.id`),
    allLatest: db.prepare<[], LatestRow>(`${LATEST} ORDER BY pos.id`),
    insertPosition: db.prepare(
      `INSERT INTO consent_positions (pupil_id, person_id, consent, position, source, given_on, review_on, shown, note, recorded_by, recorded_at)
       VALUES (@pupilId, @personId, @consent, @position, @source, @givenOn, @reviewOn, @shown, @note, @recordedBy, @recordedAt)`),
    refsOf: db.prepare<[number], RefRow>(
      'SELECT id, pupil_id, face_width, quality, created_by, created_at FROM reference_faces WHERE pupil_id = ? ORDER BY id'),
    refCounts: db.prepare<[], { pupil_id: number; n: number }>('SELECT pupil_id, COUNT(*) AS n FROM reference_faces GROUP BY pupil_id'),
    countRefs: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM reference_faces WHERE pupil_id = ?'),
    insertRef: db.prepare(
      `INSERT INTO reference_faces (pupil_id, descriptor_enc, thumbnail_enc, face_width, quality, created_by, created_at, key_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    thumbnail: db.prepare<[number, number], { thumbnail_enc: Buffer | null; key_id: string | null }>(
      'SELECT thumbnail_enc, key_id FROM reference_faces WHERE id = ? AND pupil_id = ?'),
    sealed: db.prepare<[], SealedRow>('SELECT id, pupil_id, descriptor_enc, thumbnail_enc, key_id FROM reference_faces ORDER BY id'),
    reseal: db.prepare('UPDATE reference_faces SET descriptor_enc = ?, thumbnail_enc = ?, key_id = ? WHERE id = ?'),
    keyIds: db.prepare<[], { key_id: string | null; n: number }>('SELECT key_id, COUNT(*) AS n FROM reference_faces GROUP BY key_id'),
    deleteRef: db.prepare('DELETE FROM reference_faces WHERE id = ? AND pupil_id = ?'),
    deleteRefsOf: db.prepare('DELETE FROM reference_faces WHERE pupil_id = ?'),
    allDescriptors: db.prepare<[], { pupil_id: number; descriptor_enc: Buffer; key_id: string | null }>(
      'SELECT pupil_id, descriptor_enc, key_id FROM reference_faces ORDER BY id'),
  };

  /** Latest positions by pupil, one list per consent. */
  function latestByPupil(rows: LatestRow[]) {
    const out = new Map<number, Record<ConsentKind, PersonPosition[]>>();
    for (const r of rows) {
      let entry = out.get(r.pupil_id);
      if (!entry) out.set(r.pupil_id, (entry = { photo: [], biometric: [] }));
      entry[r.consent].push(toPersonPosition(r));
    }
    return out;
  }

  const repo = {
    people: (pupilId: number) => q.people.all(pupilId).map(toPerson),
    person: (pupilId: number, personId: number) => {
      const r = q.person.get(personId, pupilId);
      return r ? toPerson(r) : undefined;
    },
    findPerson(pupilId: number, who: { kind: 'child' } | { kind: 'parent_account'; userId: number } | { kind: 'named'; name: string }) {
      const r = who.kind === 'child' ? q.childPerson.get(pupilId)
        : who.kind === 'parent_account' ? q.accountPerson.get(pupilId, who.userId) : q.namedPerson.get(pupilId, who.name);
      return r?.id;
    },
    insertPerson: (p: { pupilId: number; kind: PersonKind; userId: number | null; name: string | null; relationship: string | null; createdBy: number | null; createdAt: string }): number =>
      Number(q.insertPerson.run(p).lastInsertRowid),
    /** Every position of a pupil, newest first. */
    history: (pupilId: number) => q.history.all(pupilId).map(toPosition),
    /** Each person's latest position of one pupil, per consent. */
    latestPositions: (pupilId: number): Record<ConsentKind, PersonPosition[]> =>
      latestByPupil(q.latestOf.all(pupilId, pupilId)).get(pupilId) ?? { photo: [], biometric: [] },
    allLatestPositions: () => latestByPupil(q.allLatest.all()),
    insertPosition: (p: Omit<ConsentPositionEntry, 'id'>): number => Number(q.insertPosition.run(p).lastInsertRowid),
    /** The biometric state (who consents, who objects) derived from the positions; undefined when
     *  nobody has answered. */
    latestBio: (pupilId: number): BiometricConsentRecord | undefined => {
      const latest = repo.latestPositions(pupilId).biometric;
      return latest.length ? biometricSummary(latest) : undefined;
    },
    allLatestBio: () => new Map([...repo.allLatestPositions()].map(([id, l]) => [id, biometricSummary(l.biometric)])),
    referencesOf: (pupilId: number) => q.refsOf.all(pupilId).map(toRef),
    referenceCounts: () => new Map(q.refCounts.all().map((r) => [r.pupil_id, r.n])),
    countReferences: (pupilId: number) => q.countRefs.get(pupilId)!.n,
    insertReference: (r: { pupilId: number; descriptorEnc: Buffer; thumbnailEnc: Buffer | null; faceWidth: number; quality: number; createdBy: number | null; createdAt: string; keyId: string }): number =>
      Number(q.insertRef.run(r.pupilId, r.descriptorEnc, r.thumbnailEnc, r.faceWidth, r.quality, r.createdBy, r.createdAt, r.keyId).lastInsertRowid),
    /** undefined: no such reference; sealed null: a reference without a thumbnail. */
    thumbnail: (pupilId: number, refId: number) => {
      const r = q.thumbnail.get(refId, pupilId);
      return r ? { sealed: r.thumbnail_enc, keyId: r.key_id } : undefined;
    },
    /** Every template as stored, for re-sealing (legacy rows, key rotation). */
    allSealed: () => q.sealed.all().map((r) => ({ id: r.id, pupilId: r.pupil_id, descriptorEnc: r.descriptor_enc, thumbnailEnc: r.thumbnail_enc, keyId: r.key_id })),
    reseal: (id: number, descriptorEnc: Buffer, thumbnailEnc: Buffer | null, keyId: string) => q.reseal.run(descriptorEnc, thumbnailEnc, keyId, id),
    /** How many templates each key id sealed (null: before migration 005). */
    templateKeyIds: () => q.keyIds.all().map((r) => ({ keyId: r.key_id, count: r.n })),
    deleteReference: (pupilId: number, refId: number) => q.deleteRef.run(refId, pupilId).changes === 1,
    deleteReferencesOf: (pupilId: number): number => q.deleteRefsOf.run(pupilId).changes,
    allDescriptors: () => q.allDescriptors.all().map((r) => ({ pupilId: r.pupil_id, descriptorEnc: r.descriptor_enc, keyId: r.key_id })),
  };
  return repo;
}

export type ConsentsRepo = ReturnType<typeof consentsRepo>;
