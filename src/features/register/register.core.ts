import { isoDate, type Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import { notFound } from '../../platform/errors';
import type { Cipher } from '../../platform/secrets';
import type { AccountsService } from '../accounts/accounts.service';
import type { Audit } from '../audit/audit.service';
import type { FaceEngine } from '../faces/types';
import type { Mailer } from '../../platform/mailer';
import { biometricConsentHolds } from './consent-rules';
import { consentsRepo } from './consents.repo';
import { pupilsRepo } from './pupils.repo';

export interface RegisterDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  accounts: AccountsService;
  cipher: Cipher;
  engine: FaceEngine;
  /** For "please review your consent" e-mails; without it the office cannot send them. */
  mail?: { mailer: Mailer; publicUrl: string; schoolName: string };
  /** The check's match settings: a new reference must not be matched to another pupil under them. */
  matching?: { threshold: number; margin: number };
}

export type DeletionReason = 'biometric_consent_withdrawn' | 'pupil_left' | 'deleted_by_admin' | 'pupil_erased';

/** What the register's services share: repositories, today's date and the one place that
 *  hard-deletes face templates (so every path writes the same audit entry). */
export function registerCore(d: RegisterDeps) {
  const pupils = pupilsRepo(d.db);
  const consents = consentsRepo(d.db);
  const galleryListeners: Array<() => void> = [];
  const galleryChanged = () => {
    for (const l of galleryListeners) l();
  };
  const ceasedListeners: Array<(pupilId: number) => number> = [];
  const erasingListeners: Array<(userId: number) => number> = [];

  // Deleted templates must leave no bytes behind: secure_delete zeroes them in the database file
  // once their page is written back, but until a checkpoint the WAL still holds earlier copies of
  // that page. So every deletion of templates is followed by a checkpoint that truncates the WAL,
  // after the transaction that deleted them has committed (inside it, the checkpoint could not
  // copy the deletion yet).
  let checkpointQueued = false;
  function checkpointAfterErasure() {
    const run = () => {
      checkpointQueued = false;
      d.db.pragma('wal_checkpoint(TRUNCATE)');
    };
    if (!d.db.inTransaction) return run();
    if (checkpointQueued) return;
    checkpointQueued = true;
    // better-sqlite3 transactions are synchronous: by the next tick this one has committed.
    process.nextTick(run);
  }

  return {
    ...d,
    pupils,
    consents,
    now: () => d.clock.now().toISOString(),
    checkpointAfterErasure,
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

    /** Whoever keeps copies showing pupils (the photo check's store) deletes them when a pupil's
     *  photo or biometric consent ceases; each listener returns how many it deleted. */
    onConsentCeased(listener: (pupilId: number) => number) {
      ceasedListeners.push(listener);
    },
    consentCeased: (pupilId: number): number => ceasedListeners.reduce((n, l) => n + l(pupilId), 0),

    /** Whoever keeps what an account made (the photo and video checks' stores) deletes it when
     *  that account is erased, before the account goes; each listener returns how many. */
    onAccountErasing(listener: (userId: number) => number) {
      erasingListeners.push(listener);
    },
    accountErasing: (userId: number): number => erasingListeners.reduce((n, l) => n + l(userId), 0),

    /** Deletes every reference face of a pupil; call inside the transaction that made them unlawful. */
    purgeReferences(pupilId: number, reason: DeletionReason, actorId: number | null): number {
      const count = consents.deleteReferencesOf(pupilId);
      if (count > 0) {
        d.audit.record('reference_faces.deleted', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { count, reason } });
        checkpointAfterErasure();
      }
      galleryChanged();
      return count;
    },

    /** Face templates of pupils whose biometric consent does not hold (e.g. after migration 003
     *  let an overwritten objection stand again) are deleted, with the same audit entry. */
    deleteUnconsentedReferences(): number {
      const counts = consents.referenceCounts();
      if (counts.size === 0) return 0;
      const bios = consents.allLatestBio();
      let deleted = 0;
      d.db.transaction(() => {
        for (const pupilId of counts.keys()) {
          if (biometricConsentHolds(bios.get(pupilId))) continue;
          const count = consents.deleteReferencesOf(pupilId);
          d.audit.record('reference_faces.deleted', { actorId: null, subjectType: 'pupil', subjectId: pupilId, details: { count, reason: 'biometric_consent_withdrawn' } });
          deleted += count;
        }
      })();
      if (deleted > 0) {
        galleryChanged();
        checkpointAfterErasure();
      }
      return deleted;
    },
  };
}

export type RegisterCore = ReturnType<typeof registerCore>;
