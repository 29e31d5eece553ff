import type { Db } from '../../platform/db';

export interface LinkedPupil {
  userId: number;
  pupilId: number;
  firstName: string;
  lastName: string;
  className: string;
  status: 'on_roll' | 'left';
  relationship: string;
}

interface Row { user_id: number; pupil_id: number; first_name: string; last_name: string; class_name: string; status: 'on_roll' | 'left'; relationship: string }

const toLinked = (r: Row): LinkedPupil => ({
  userId: r.user_id, pupilId: r.pupil_id, firstName: r.first_name, lastName: r.last_name, className: r.class_name, status: r.status,
  relationship: r.relationship,
});

// The register's repo answers "parents of a pupil" and "on-roll children of a parent"; the office's
// parent pages also need every child of a parent, leavers included, and all links at once.
const SELECT = `SELECT g.user_id, g.pupil_id, g.relationship, p.first_name, p.last_name, p.class_name, p.status
  FROM guardians g JOIN pupils p ON p.id = g.pupil_id`;

export function guardianLinksRepo(db: Db) {
  const q = {
    all: db.prepare<[], Row>(`${SELECT} ORDER BY p.first_name COLLATE NOCASE, p.id`),
    ofUser: db.prepare<[number], Row>(`${SELECT} WHERE g.user_id = ? ORDER BY p.status = 'left', p.first_name COLLATE NOCASE, p.id`),
  };
  return {
    /** Linked pupils by parent user id. */
    byParent(): Map<number, LinkedPupil[]> {
      const out = new Map<number, LinkedPupil[]>();
      for (const r of q.all.all()) {
        const list = out.get(r.user_id) ?? [];
        list.push(toLinked(r));
        out.set(r.user_id, list);
      }
      return out;
    },
    ofParent: (userId: number) => q.ofUser.all(userId).map(toLinked),
  };
}
