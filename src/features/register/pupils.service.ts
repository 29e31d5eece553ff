import { conflict, notFound } from '../../platform/errors';
import {
  addDays, biometricConsentHolds, biometricSummary, photoDecision, type PhotoDecision,
} from './consent-rules';
import type { Pupil, PupilFields } from './pupils.repo';
import type { RegisterCore } from './register.core';
import type { ListPupilsQuery } from './register.schemas';

/** One pupil as the register sees them: the latest consents and what they mean today. */
export interface RegisterRow {
  pupil: Pupil;
  photo: PhotoDecision;
  photoState: PhotoDecision['state'];
  photoCurrent: boolean;
  biometricHolds: boolean;
  references: number;
}

const REVIEW_SOON_DAYS = 30;

export function pupilsService(c: RegisterCore) {
  const { pupils, consents, audit } = c;

  /** Every pupil with derived consent state. A school has hundreds of pupils, not millions, so
   *  the rules run in JS — the same pure functions the photo check uses — rather than in SQL. */
  function registerRows(): RegisterRow[] {
    const today = c.today();
    const positions = consents.allLatestPositions();
    const refs = consents.referenceCounts();
    return pupils.all().map((pupil) => {
      const latest = positions.get(pupil.id) ?? { photo: [], biometric: [] };
      const photo = photoDecision(latest.photo, today, pupil.status);
      return {
        pupil,
        photo,
        photoState: photo.state,
        photoCurrent: photo.current,
        biometricHolds: biometricConsentHolds(biometricSummary(latest.biometric)),
        references: refs.get(pupil.id) ?? 0,
      };
    });
  }

  function matches(row: RegisterRow, f: ListPupilsQuery): boolean {
    const p = row.pupil;
    if (f.status !== 'all' && p.status !== f.status) return false;
    if (f.class && p.className.toLowerCase() !== f.class.toLowerCase()) return false;
    if (f.yearGroup && p.yearGroup !== f.yearGroup) return false;
    if (f.photoConsent && row.photoState !== f.photoConsent) return false;
    if (f.biometric && row.biometricHolds !== (f.biometric === 'holds')) return false;
    if (f.enrolled !== undefined && row.references > 0 !== f.enrolled) return false;
    if (f.reviewDue && !((row.photo.state === 'granted' || row.photo.state === 'expired') && row.photo.reviewOn !== null && row.photo.reviewOn < f.reviewDue)) return false;
    if (f.q) {
      const needle = f.q.toLowerCase();
      const hay = `${p.firstName} ${p.lastName}\n${p.lastName} ${p.firstName}\n${p.upn ?? ''}`.toLowerCase();
      if (!hay.includes(needle)) return false;
    }
    return true;
  }

  function assertUpnFree(upn: string | null, exceptId?: number) {
    if (!upn) return;
    const other = pupils.byUpn(upn);
    if (other && other.id !== exceptId) throw conflict('Another pupil already has that UPN.');
  }

  return {
    registerRows,

    listPupils: (filter: ListPupilsQuery) => registerRows().filter((r) => matches(r, filter)),

    pupilDetail(id: number) {
      const pupil = c.requirePupil(id);
      const latest = consents.latestPositions(id);
      const photo = photoDecision(latest.photo, c.today(), pupil.status);
      const biometric = biometricSummary(latest.biometric);
      return {
        pupil,
        guardians: pupils.guardiansOf(id),
        photo,
        photoState: photo.state,
        photoCurrent: photo.current,
        biometric,
        biometricHolds: biometricConsentHolds(biometric),
        people: consents.people(id),
        positions: consents.history(id),
        references: consents.referencesOf(id),
      };
    },

    createPupil(fields: Omit<PupilFields, 'upn'> & { upn?: string | null }, actorId: number | null): Pupil {
      const f = { ...fields, upn: fields.upn ?? null };
      assertUpnFree(f.upn);
      const id = pupils.insert(f, c.now());
      audit.record('pupil.created', { actorId, subjectType: 'pupil', subjectId: id });
      return pupils.byId(id)!;
    },

    updatePupil(id: number, changes: Partial<PupilFields>, actorId: number | null): Pupil {
      const pupil = c.requirePupil(id);
      const next: PupilFields = {
        upn: changes.upn !== undefined ? changes.upn : pupil.upn,
        firstName: changes.firstName ?? pupil.firstName,
        lastName: changes.lastName ?? pupil.lastName,
        className: changes.className ?? pupil.className,
        yearGroup: changes.yearGroup ?? pupil.yearGroup,
      };
      assertUpnFree(next.upn, id);
      pupils.update(id, next, c.now());
      audit.record('pupil.updated', { actorId, subjectType: 'pupil', subjectId: id, details: { fields: Object.keys(changes).join(',') } });
      return pupils.byId(id)!;
    },

    /** A leaver's face templates go at once (PoFA s.26 consent ends with the school's purpose). */
    leave(id: number, actorId: number | null): { pupil: Pupil; deletedReferences: number } {
      return c.db.transaction(() => {
        const pupil = c.requirePupil(id);
        if (pupil.status === 'left') throw conflict('This pupil has already left.');
        pupils.markLeft(id, c.now());
        const deletedReferences = c.purgeReferences(id, 'pupil_left', actorId);
        const deletedChecks = c.consentCeased(id); // photo consent ends with the roll
        audit.record('pupil.left', { actorId, subjectType: 'pupil', subjectId: id, details: { deletedReferences, deletedChecks } });
        return { pupil: pupils.byId(id)!, deletedReferences };
      })();
    },

    /** Erases a pupil now (the office's "erase now", or the leavers' retention): templates first
     *  (audited as a biometric deletion), stored copies showing them, then the record, with its
     *  consents, positions, people and parent links. The audit keeps the id only. */
    erasePupil(id: number, actorId: number | null, reason: 'office' | 'retention'): { deletedReferences: number } {
      const result = c.db.transaction(() => {
        c.requirePupil(id);
        const deletedReferences = c.purgeReferences(id, 'pupil_erased', actorId);
        const deletedChecks = c.consentCeased(id);
        pupils.erase(id);
        audit.record('pupil.erased', { actorId, subjectType: 'pupil', subjectId: id, details: { reason, deletedReferences, deletedChecks } });
        return { deletedReferences };
      })();
      c.galleryChanged();
      return result;
    },

    /** Erases an account. A parent is unlinked from each child first, exactly as "unlink" does, so
     *  a consent that held only through them ends and its templates go with it; the photo and
     *  video checks the account made (safe copies on disk) go at once, not at their expiry. */
    eraseAccount(userId: number, actorId: number | null, reason: 'office' | 'retention') {
      for (const pupilId of pupils.pupilIdsOf(userId)) this.removeGuardian(pupilId, userId, actorId);
      c.accountErasing(userId);
      c.accounts.eraseUser(userId, actorId, reason);
    },

    /** Leavers whose retention ended before `cutoff` (ISO instant). */
    leaversBefore: (cutoff: string) => pupils.leftBefore(cutoff),
    parentsWithoutChildrenOnRoll: () => pupils.parentsWithoutChildrenOnRoll(),
    retiredParentsBefore: (cutoff: string) => pupils.retiredParentsBefore(cutoff),

    classes: () => pupils.classes(),

    summary() {
      const today = c.today();
      const soon = addDays(today, REVIEW_SOON_DAYS);
      const onRoll = registerRows().filter((r) => r.pupil.status === 'on_roll');
      const count = (pred: (r: RegisterRow) => boolean) => onRoll.filter(pred).length;
      return {
        pupilsOnRoll: onRoll.length,
        photoConsentGranted: count((r) => r.photoCurrent),
        photoConsentMissing: count((r) => r.photoState === 'not_asked'),
        photoConsentRefused: count((r) => r.photoState === 'refused'),
        photoConsentReviewDueSoon: count((r) => r.photoCurrent && r.photo.reviewOn! <= soon),
        photoConsentExpired: count((r) => r.photoState === 'expired'),
        biometricHoldsNotEnrolled: count((r) => r.biometricHolds && r.references === 0),
        enrolled: count((r) => r.references > 0),
        reviewWindowDays: REVIEW_SOON_DAYS,
      };
    },

    async addGuardian(
      pupilId: number,
      input: { userId: number; relationship: string | null } | { email: string; name: string; relationship: string | null; sendInvitation: boolean },
      actorId: number,
    ) {
      c.requirePupil(pupilId);
      let userId: number;
      let invitationUrl: string | null = null;
      if ('userId' in input) {
        if (!c.accounts.repo.userById(input.userId)) throw notFound('user');
        userId = input.userId;
      } else {
        const existing = c.accounts.repo.userByEmail(input.email);
        if (existing) {
          userId = existing.user.id;
        } else {
          const created = await c.accounts.createUser({ email: input.email, name: input.name, role: 'parent' }, actorId, { sendEmail: input.sendInvitation });
          userId = created.user.id;
          invitationUrl = created.invitationUrl;
        }
      }
      if (!pupils.link(userId, pupilId, input.relationship ?? 'parent', c.now())) throw conflict('That person is already linked to this pupil.');
      // A parent disabled because their children had left is back with a child on roll.
      if (c.accounts.repo.userById(userId)?.retiredAt) c.accounts.setStatus(userId, 'active', actorId, 'child_linked');
      audit.record('guardian.linked', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { userId, accountCreated: invitationUrl !== null } });
      return { guardian: pupils.guardiansOf(pupilId).find((g) => g.userId === userId)!, invitationUrl };
    },

    removeGuardian(pupilId: number, userId: number, actorId: number | null) {
      c.db.transaction(() => {
        const pupil = c.requirePupil(pupilId);
        // An unlinked account's consent stops counting (its objection stands), which may end consent.
        const state = () => {
          const latest = consents.latestPositions(pupilId);
          return { photo: photoDecision(latest.photo, c.today(), pupil.status).current, bio: biometricConsentHolds(biometricSummary(latest.biometric)) };
        };
        const before = state();
        if (!pupils.unlink(userId, pupilId)) throw notFound('guardian link');
        const after = state();
        const deletedReferences = before.bio && !after.bio ? c.purgeReferences(pupilId, 'biometric_consent_withdrawn', actorId) : 0;
        const deletedChecks = (before.photo && !after.photo) || (before.bio && !after.bio) ? c.consentCeased(pupilId) : 0;
        audit.record('guardian.unlinked', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { userId, deletedReferences, deletedChecks } });
      })();
    },

    /** A parent's own children still on roll; the only pupils a parent ever learns about. */
    childrenOfParent: (parentUserId: number): Pupil[] => pupils.childrenOf(parentUserId),

    /** For the photo check: the same children, id and first name only. */
    childrenOf: (parentUserId: number): { id: number; firstName: string }[] =>
      pupils.childrenOf(parentUserId).map((p) => ({ id: p.id, firstName: p.firstName })),

    /** Each pupil's photo-sharing decision today; unknown ids are left out. */
    photoConsentDecisions(pupilIds: number[]): Map<number, PhotoDecision> {
      const today = c.today();
      const result = new Map<number, PhotoDecision>();
      for (const id of pupilIds) {
        const pupil = pupils.byId(id);
        if (pupil) result.set(id, photoDecision(consents.latestPositions(id).photo, today, pupil.status));
      }
      return result;
    },

    /** For the photo check: is each pupil's photo-sharing consent current today? Unknown ids: false. */
    photoConsentCurrent(pupilIds: number[]): Map<number, boolean> {
      const today = c.today();
      const result = new Map<number, boolean>();
      for (const id of pupilIds) {
        const pupil = pupils.byId(id);
        result.set(id, pupil ? photoDecision(consents.latestPositions(id).photo, today, pupil.status).current : false);
      }
      return result;
    },
  };
}
