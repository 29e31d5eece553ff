import type { Pupil } from './pupils.repo';
import type { RegisterCore } from './register.core';

// Twins and look-alike siblings. The matcher's margin compares a face with the OTHER enrolled
// pupils; a brother or sister who is not enrolled is not in the gallery, so a twin's face can
// match the enrolled twin with nobody to be measured against. So a pupil with a sibling (a pupil
// sharing a parent link) who cannot be recognised is never shown to other parents on a match
// alone, until the office has confirmed that no sibling looks like them.

export function lookalikeService(c: RegisterCore, enrolledPupils: () => { has(pupilId: number): boolean }) {
  const { pupils, audit } = c;

  return {
    /** The office's confirmation (or its withdrawal) that no brother or sister looks like this pupil. */
    confirmNoLookalikeSibling(pupilId: number, confirmed: boolean, actorId: number): Pupil {
      c.requirePupil(pupilId);
      const now = c.now();
      pupils.setNoLookalikeSibling(pupilId, confirmed ? now : null, confirmed ? actorId : null, now);
      audit.record(confirmed ? 'pupil.no_lookalike_sibling_confirmed' : 'pupil.no_lookalike_sibling_withdrawn', {
        actorId, subjectType: 'pupil', subjectId: pupilId,
      });
      return pupils.byId(pupilId)!;
    },

    /** Siblings of a pupil who cannot be recognised (no usable reference photos), for the office. */
    unenrolledSiblingIds(pupilId: number): number[] {
      const gallery = enrolledPupils();
      return pupils.siblingIdsOf(pupilId).filter((id) => !gallery.has(id));
    },

    /** For the photo check: of these matched pupils, those whose face may be an unenrolled
     *  sibling's (and the office has not confirmed otherwise). Unknown ids count as unsure. */
    mayBeUnenrolledSibling(pupilIds: number[]): Set<number> {
      const gallery = enrolledPupils();
      const unsure = new Set<number>();
      for (const id of pupilIds) {
        const pupil = pupils.byId(id);
        if (!pupil) unsure.add(id);
        else if (!pupil.noLookalikeSiblingAt && pupils.siblingIdsOf(id).some((s) => !gallery.has(s))) unsure.add(id);
      }
      return unsure;
    },
  };
}
