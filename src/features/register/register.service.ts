import { consentReviewsService } from './consent-reviews.service';
import { consentsService } from './consents.service';
import { parentConsentsService } from './parent-consents.service';
import { importPupilsCsv } from './csv-import';
import { importContactsService } from './import-contacts.service';
import { lookalikeService } from './lookalike.service';
import { pupilsService } from './pupils.service';
import { recognitionService } from './recognition.service';
import { referencesService } from './references.service';
import { registerCore, type RegisterDeps } from './register.core';

export type { RegisterDeps } from './register.core';
export type RegisterService = ReturnType<typeof createRegisterService>;

/** The consent register: pupils, parents, consents, reference faces and the MIS import, plus the
 *  narrow read-only port the photo check uses (galleryForChecks, childrenOf, photoConsentCurrent,
 *  mayBeUnenrolledSibling). */
export function createRegisterService(d: RegisterDeps) {
  const core = registerCore(d);
  const pupils = pupilsService(core);
  const consents = consentsService(core);
  const references = referencesService(core);
  // Templates whose consent no longer holds (e.g. an objection migration 003 brought back) go now.
  core.deleteUnconsentedReferences();
  // Templates sealed before migration 005 are bound to their pupil and key now.
  references.resealLegacyTemplates();
  return {
    ...pupils,
    ...consents,
    ...parentConsentsService(core, consents),
    ...consentReviewsService(core),
    ...importContactsService(core),
    /** Stored copies showing a pupil are deleted through this when their consent ceases. */
    onConsentCeased: core.onConsentCeased,
    onAccountErasing: core.onAccountErasing,
    ...references,
    ...lookalikeService(core, () => references.galleryForChecks()),
    ...recognitionService(core, () => references.galleryForChecks()),
    /** For writers outside this service (tests, maintenance scripts) that touch reference_faces. */
    invalidateGallery: core.galleryChanged,
    importCsv: (input: Buffer | string, opts: { dryRun: boolean; actorId: number | null }) => {
      const result = importPupilsCsv(d, input, opts);
      // A re-import can change a pupil's class but never consent; the gallery is rebuilt anyway
      // so it can never lag behind the register.
      if (!opts.dryRun) core.galleryChanged();
      return result;
    },
  };
}
