import { notFound } from '../../platform/errors';
import type { RegisterCore } from './register.core';

export interface ImportContact {
  id: number;
  pupilId: number;
  pupilName: string;
  className: string;
  email: string;
  name: string | null;
  relationship: string | null;
  createdAt: string;
}

/** Contacts an import found without parental responsibility: the office links them (they have it
 *  after all) or dismisses them. Until then they are nobody's parent in ShareSafe. */
export function importContactsService(c: RegisterCore) {
  const q = {
    list: c.db.prepare<[], { id: number; pupil_id: number; first_name: string; last_name: string; class_name: string; email: string; name: string | null; relationship: string | null; created_at: string }>(
      `SELECT ic.*, p.first_name, p.last_name, p.class_name FROM import_contacts ic JOIN pupils p ON p.id = ic.pupil_id
        WHERE p.status = 'on_roll' ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, ic.id`),
    byId: c.db.prepare<[number], { id: number; pupil_id: number; email: string; name: string | null; relationship: string | null }>(
      'SELECT * FROM import_contacts WHERE id = ?'),
    remove: c.db.prepare('DELETE FROM import_contacts WHERE id = ?'),
  };

  function take(id: number) {
    const row = q.byId.get(id);
    if (!row) throw notFound('contact to confirm');
    return row;
  }

  return {
    importContactsToConfirm: (): ImportContact[] => q.list.all().map((r) => ({
      id: r.id, pupilId: r.pupil_id, pupilName: `${r.first_name} ${r.last_name}`, className: r.class_name,
      email: r.email, name: r.name, relationship: r.relationship, createdAt: r.created_at,
    })),

    /** The office confirms parental responsibility: an account (not yet invited) and the link. */
    confirmImportContact(id: number, actorId: number): { userId: number } {
      return c.db.transaction(() => {
        const row = take(id);
        const existing = c.accounts.repo.userByEmail(row.email)?.user;
        const userId = existing?.id ?? c.accounts.createUserRecord({ email: row.email, name: row.name ?? row.email, role: 'parent' }, actorId).user.id;
        if (c.pupils.link(userId, row.pupil_id, row.relationship ?? 'parent', c.now())) {
          c.audit.record('guardian.linked', { actorId, subjectType: 'pupil', subjectId: row.pupil_id, details: { userId, accountCreated: !existing, source: 'import_confirmed' } });
        }
        q.remove.run(id);
        return { userId };
      })();
    },

    dismissImportContact(id: number, actorId: number) {
      const row = take(id);
      q.remove.run(id);
      c.audit.record('import_contact.dismissed', { actorId, subjectType: 'pupil', subjectId: row.pupil_id });
    },
  };
}
