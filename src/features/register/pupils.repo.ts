import type { Db } from '../../platform/db';
import type { PupilStatus } from './consent-rules';

export interface Pupil {
  id: number;
  upn: string | null;
  firstName: string;
  lastName: string;
  className: string;
  yearGroup: string;
  status: PupilStatus;
  leftAt: string | null;
  /** When the office confirmed that no brother or sister looks like this pupil (null: not confirmed). */
  noLookalikeSiblingAt: string | null;
  noLookalikeSiblingBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface PupilFields {
  upn: string | null;
  firstName: string;
  lastName: string;
  className: string;
  yearGroup: string;
}

export interface Guardian {
  userId: number;
  email: string;
  name: string;
  role: string;
  relationship: string;
  invitationPending: boolean;
}

interface PupilRow {
  id: number;
  upn: string | null;
  first_name: string;
  last_name: string;
  class_name: string;
  year_group: string;
  status: PupilStatus;
  left_at: string | null;
  no_lookalike_sibling_at: string | null;
  no_lookalike_sibling_by: number | null;
  created_at: string;
  updated_at: string;
}

const toPupil = (r: PupilRow): Pupil => ({
  id: r.id,
  upn: r.upn,
  firstName: r.first_name,
  lastName: r.last_name,
  className: r.class_name,
  yearGroup: r.year_group,
  status: r.status,
  leftAt: r.left_at,
  noLookalikeSiblingAt: r.no_lookalike_sibling_at ?? null,
  noLookalikeSiblingBy: r.no_lookalike_sibling_by ?? null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Prepared SQL for pupils and the parents linked to them. */
export function pupilsRepo(db: Db) {
  const q = {
    byId: db.prepare<[number], PupilRow>('SELECT * FROM pupils WHERE id = ?'),
    byUpn: db.prepare<[string], PupilRow>('SELECT * FROM pupils WHERE upn = ?'),
    byNameAndClass: db.prepare<[string, string, string], PupilRow>(
      `SELECT * FROM pupils WHERE first_name = ? COLLATE NOCASE AND last_name = ? COLLATE NOCASE
         AND class_name = ? COLLATE NOCASE ORDER BY status = 'on_roll' DESC, id LIMIT 1`),
    all: db.prepare<[], PupilRow>('SELECT * FROM pupils ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id'),
    insert: db.prepare(
      // Never an erased pupil's id (migration 005): the audit trail refers to pupils by id.
      `INSERT INTO pupils (id, upn, first_name, last_name, class_name, year_group, created_at, updated_at)
       VALUES ((SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM pupils UNION ALL SELECT max_id FROM id_high_water WHERE tbl = 'pupils')) + 1,
         @upn, @firstName, @lastName, @className, @yearGroup, @now, @now)`),
    update: db.prepare(
      `UPDATE pupils SET upn = @upn, first_name = @firstName, last_name = @lastName, class_name = @className,
         year_group = @yearGroup, updated_at = @now WHERE id = @id`),
    markLeft: db.prepare("UPDATE pupils SET status = 'left', left_at = ?, updated_at = ? WHERE id = ?"),
    classes: db.prepare<[], { class_name: string; year_group: string; pupils: number }>(
      `SELECT class_name, year_group, COUNT(*) AS pupils FROM pupils WHERE status = 'on_roll'
         GROUP BY class_name, year_group ORDER BY year_group, class_name`),
    guardiansOf: db.prepare<[number], { user_id: number; email: string; name: string; role: string; relationship: string; password_hash: string | null }>(
      `SELECT g.user_id, u.email, u.name, u.role, g.relationship, u.password_hash
         FROM guardians g JOIN users u ON u.id = g.user_id WHERE g.pupil_id = ? ORDER BY g.created_at, u.id`),
    childrenOf: db.prepare<[number], PupilRow>(
      `SELECT p.* FROM guardians g JOIN pupils p ON p.id = g.pupil_id
         WHERE g.user_id = ? AND p.status = 'on_roll' ORDER BY p.first_name COLLATE NOCASE, p.id`),
    setNoLookalikeSibling: db.prepare('UPDATE pupils SET no_lookalike_sibling_at = ?, no_lookalike_sibling_by = ?, updated_at = ? WHERE id = ?'),
    /** Pupils who share at least one parent (guardian link) with the given pupil. */
    siblingsOf: db.prepare<[number, number], { id: number }>(
      `SELECT DISTINCT g2.pupil_id AS id FROM guardians g1 JOIN guardians g2 ON g2.user_id = g1.user_id
         WHERE g1.pupil_id = ? AND g2.pupil_id != ?`),
    link: db.prepare('INSERT OR IGNORE INTO guardians (user_id, pupil_id, relationship, created_at) VALUES (?, ?, ?, ?)'),
    unlink: db.prepare('DELETE FROM guardians WHERE user_id = ? AND pupil_id = ?'),
    erase: db.prepare('DELETE FROM pupils WHERE id = ?'),
    pupilIdsOf: db.prepare<[number], { pupil_id: number }>('SELECT pupil_id FROM guardians WHERE user_id = ? ORDER BY pupil_id'),
    leftBefore: db.prepare<[string], { id: number }>("SELECT id FROM pupils WHERE status = 'left' AND left_at <= ? ORDER BY id"),
    /** Active parents who have children linked, none of them on roll; with the last leaving date. */
    parentsWithoutChildrenOnRoll: db.prepare<[], { user_id: number; last_left_at: string | null }>(
      `SELECT g.user_id, MAX(p.left_at) AS last_left_at FROM guardians g JOIN pupils p ON p.id = g.pupil_id JOIN users u ON u.id = g.user_id
        WHERE u.role = 'parent' AND u.status = 'active' GROUP BY g.user_id HAVING SUM(p.status = 'on_roll') = 0`),
    /** Parents disabled because no child remained, retired before the given date, still without a child on roll. */
    retiredParentsBefore: db.prepare<[string], { id: number }>(
      `SELECT u.id FROM users u WHERE u.role = 'parent' AND u.status = 'disabled' AND u.retired_at IS NOT NULL AND u.retired_at <= ?
         AND NOT EXISTS (SELECT 1 FROM guardians g JOIN pupils p ON p.id = g.pupil_id WHERE g.user_id = u.id AND p.status = 'on_roll')`),
  };

  return {
    byId: (id: number) => {
      const r = q.byId.get(id);
      return r ? toPupil(r) : undefined;
    },
    byUpn: (upn: string) => {
      const r = q.byUpn.get(upn);
      return r ? toPupil(r) : undefined;
    },
    byNameAndClass: (firstName: string, lastName: string, className: string) => {
      const r = q.byNameAndClass.get(firstName, lastName, className);
      return r ? toPupil(r) : undefined;
    },
    all: () => q.all.all().map(toPupil),
    insert: (f: PupilFields, now: string): number => Number(q.insert.run({ ...f, now }).lastInsertRowid),
    update: (id: number, f: PupilFields, now: string) => q.update.run({ ...f, id, now }),
    markLeft: (id: number, now: string) => q.markLeft.run(now, now, id),
    classes: () => q.classes.all().map((c) => ({ className: c.class_name, yearGroup: c.year_group, pupils: c.pupils })),
    guardiansOf: (pupilId: number): Guardian[] =>
      q.guardiansOf.all(pupilId).map((g) => ({
        userId: g.user_id, email: g.email, name: g.name, role: g.role, relationship: g.relationship,
        invitationPending: g.password_hash === null,
      })),
    childrenOf: (userId: number) => q.childrenOf.all(userId).map(toPupil),
    setNoLookalikeSibling: (id: number, at: string | null, by: number | null, now: string) => q.setNoLookalikeSibling.run(at, by, now, id),
    siblingIdsOf: (pupilId: number): number[] => q.siblingsOf.all(pupilId, pupilId).map((r) => r.id),
    /** True when a new link was made (false when it already existed). */
    link: (userId: number, pupilId: number, relationship: string, now: string) =>
      q.link.run(userId, pupilId, relationship, now).changes === 1,
    unlink: (userId: number, pupilId: number) => q.unlink.run(userId, pupilId).changes === 1,
    /** Deletes the pupil; consents, positions, people, templates, links and event rules cascade. */
    erase: (id: number) => q.erase.run(id).changes === 1,
    /** Every pupil linked to a parent, on roll or not. */
    pupilIdsOf: (userId: number): number[] => q.pupilIdsOf.all(userId).map((r) => r.pupil_id),
    leftBefore: (cutoff: string): number[] => q.leftBefore.all(cutoff).map((r) => r.id),
    parentsWithoutChildrenOnRoll: () => q.parentsWithoutChildrenOnRoll.all().map((r) => ({ userId: r.user_id, lastLeftAt: r.last_left_at })),
    retiredParentsBefore: (cutoff: string): number[] => q.retiredParentsBefore.all(cutoff).map((r) => r.id),
  };
}

export type PupilsRepo = ReturnType<typeof pupilsRepo>;
