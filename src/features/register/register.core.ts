import { isoDate, type Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import { notFound } from '../../platform/errors';
import type { Cipher } from '../../platform/secrets';
import type { AccountsService } from '../accounts/accounts.service';
import type { Audit } from '../audit/audit.service';
import type { FaceEngine } from '../faces/types';
import { consentsRepo } from './consents.repo';
import { pupilsRepo } from './pupils.repo';

export interface RegisterDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  accounts: AccountsService;
  cipher: Cipher;
  engine: FaceEngine;
  /** The check's match settings: a new reference must not be matched to another pupil under them. */
  matching?: { threshold: number; margin: number };
}

export type DeletionReason = 'biometric_consent_withdrawn' | 'pupil_left' | 'deleted_by_admin';

/** What the register's services share: repositories, today's date and the one place that
 *  hard-deletes face templates (so every path writes the same audit entry). */
export function registerCore(d: RegisterDeps) {
  const pupils = pupilsRepo(d.db);
  const consents = consentsRepo(d.db);
  const galleryListeners: Array<() => void> = [];
  const galleryChanged = () => {
    for (const l of galleryListeners) l();
  };

  return {
    ...d,
    pupils,
    consents,
    now: () => d.clock.now().toISOString(),
    today: () => isoDate(d.clock.now()),

    requirePupil(id: number) {
      const pupil = pupils.byId(id);
      if (!pupil) throw notFound('pupil');
      return pupil;
    },

    /** Anything that changes who can be recognised calls this, so the next check rebuilds. */
    onGalleryChange(listener: () => void) {
      galleryListeners.push(listener);
    },
    galleryChanged,

    /** Deletes every reference face of a pupil; call inside the transaction that made them unlawful. */
    purgeReferences(pupilId: number, reason: DeletionReason, actorId: number | null): number {
      const count = consents.deleteReferencesOf(pupilId);
      if (count > 0) {
        d.audit.record('reference_faces.deleted', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { count, reason } });
      }
      galleryChanged();
      return count;
    },
  };
}

export type RegisterCore = ReturnType<typeof registerCore>;
