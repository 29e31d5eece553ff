import { AppError, notFound, unprocessable } from '../../platform/errors';
import { DEFAULT_MARGIN, DEFAULT_THRESHOLD, Gallery } from '../faces/matcher';
import { assessReferencePhoto, makeThumbnail, type ReferenceProblem } from '../faces/reference';
import { biometricConsentHolds } from './consent-rules';
import type { RegisterCore } from './register.core';
import { openTemplate, sealTemplate } from './templates';
import type { Cipher } from '../../platform/secrets';

export const MAX_REFERENCES_PER_PUPIL = 5;

// Every refusal tells the office what to do differently.
const PROBLEMS: Record<ReferenceProblem, string> = {
  no_face: 'No face was found. Use a clear, front-on photo of the pupil.',
  several_faces: 'More than one face is in the photo. Crop it so only this pupil is visible.',
  face_too_small: 'The face is too small. Use a closer photo, or crop around the face.',
  low_score: 'The face is not clear enough (turned away, covered or in shadow). Use a front-on photo.',
  no_descriptor: 'The face could not be measured. Use a sharper, front-on photo.',
  greyscale: 'The photo is black and white. Use a colour photo.',
  too_blurry: 'The face is out of focus. Use a sharper photo.',
};

/** A new reference must lie within this distance of at least one of the pupil's existing
 *  references. Measured with bench/probe-faces.ts on the eval set's 104 identity photos
 *  (docs/accuracy.md): each photo's nearest other photo of the same person was at most 0.545
 *  (0/102 refused at 0.55, 4/102 at 0.5), while another person's photo came within 0.55 of
 *  someone's photos in 2 of 2704 tries (5 at 0.6, 35 at 0.65). Refusing a good photo costs the
 *  office another try; accepting the wrong child's shows a child, so the tighter side. */
export const REFERENCE_AGREEMENT_LIMIT = 0.55;

type ConsistencyProblem = 'reference_disagrees' | 'reference_matches_other_pupil';
const CONSISTENCY: Record<ConsistencyProblem, string> = {
  reference_disagrees: 'This face does not look like the pupil’s other reference photos. Check that the photo is of the right child; if it is, remove the older photos first.',
  reference_matches_other_pupil: 'This face is too close to another pupil’s reference photos (a twin, a sibling, or a photo of the wrong child). ShareSafe could not tell them apart, so it was not added. Check that the photo is of the right child.',
};

/** Would this descriptor, as a reference of `pupilId`, disagree with the pupil's other references
 *  or be taken for another pupil (under the threshold and not clearly closer to this pupil)? */
export function referenceConsistency(
  distances: ReadonlyMap<number, number>, pupilId: number, matching: { threshold: number; margin: number },
): ConsistencyProblem | null {
  const own = distances.get(pupilId);
  if (own !== undefined && !(own < REFERENCE_AGREEMENT_LIMIT)) return 'reference_disagrees';
  let other = Infinity;
  for (const [id, d] of distances) if (id !== pupilId && d < other) other = d;
  if (other < matching.threshold && (own === undefined || other - own < matching.margin)) return 'reference_matches_other_pupil';
  return null;
}

const biometricConsentRequired = () =>
  new AppError('biometric_consent_required', 409,
    'Reference photos need biometric consent from a parent, with no objection from a parent or the child.');

/** Float32Array <-> bytes, little-endian as the platform stores them (every supported host is LE). */
const descriptorBytes = (d: Float32Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
const bytesToDescriptor = (b: Buffer) => {
  const copy = new Uint8Array(b); // aligned copy: a Buffer may sit at an odd offset in its pool
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
};

export function referencesService(c: RegisterCore) {
  const { consents, audit, cipher } = c;
  let gallery: Gallery | null = null;
  c.onGalleryChange(() => {
    gallery = null;
  });

  const consentHolds = (pupilId: number) =>
    c.requirePupil(pupilId).status === 'on_roll' && biometricConsentHolds(consents.latestBio(pupilId));

  /** Checked before the upload is read, and again inside the write after analysis. */
  function assertCanEnrol(pupilId: number) {
    if (!consentHolds(pupilId)) throw biometricConsentRequired();
    if (consents.countReferences(pupilId) >= MAX_REFERENCES_PER_PUPIL) {
      throw new AppError('reference_limit', 409, `A pupil can have at most ${MAX_REFERENCES_PER_PUPIL} reference photos; delete one first.`);
    }
  }

  /** Only on-roll pupils whose biometric consent holds, whatever else the table holds. A template
   *  that does not open as its own pupil's (moved to another row, another key) is left out: that
   *  pupil is then not recognised, so stays blurred (fail closed). */
  function buildGallery(): Gallery {
    const bios = consents.allLatestBio();
    const eligible = new Set(c.pupils.all()
      .filter((p) => p.status === 'on_roll' && biometricConsentHolds(bios.get(p.id)))
      .map((p) => p.id));
    const entries: { pupilId: number; descriptor: Float32Array }[] = [];
    let unreadable = 0;
    for (const r of consents.allDescriptors()) {
      if (!eligible.has(r.pupilId)) continue;
      try {
        entries.push({ pupilId: r.pupilId, descriptor: bytesToDescriptor(openTemplate(cipher, r, 'descriptor', r.descriptorEnc)) });
      } catch {
        unreadable += 1;
      }
    }
    if (unreadable > 0) audit.record('reference_faces.unreadable', { details: { count: unreadable } });
    return new Gallery(entries);
  }

  /** Re-seals every template from the current key to `next` (all or none); used by `rotate-key`
   *  and, with next = the current key, for rows sealed before migration 005. */
  function reseal(next: Cipher, only: 'legacy' | 'all'): number {
    const count = c.db.transaction(() => {
      let n = 0;
      for (const r of consents.allSealed()) {
        if (only === 'legacy' && r.keyId !== null) continue;
        const descriptor = openTemplate(cipher, r, 'descriptor', r.descriptorEnc);
        const thumbnail = r.thumbnailEnc ? openTemplate(cipher, r, 'thumbnail', r.thumbnailEnc) : null;
        consents.reseal(r.id, sealTemplate(next, r.pupilId, 'descriptor', descriptor),
          thumbnail ? sealTemplate(next, r.pupilId, 'thumbnail', thumbnail) : null, next.keyId);
        n += 1;
      }
      return n;
    })();
    c.galleryChanged();
    // The old ciphertexts must not linger in the WAL either.
    if (count > 0) c.checkpointAfterErasure();
    return count;
  }

  /** Cached until an enrolment, deletion or consent change. */
  function referenceGallery(): Gallery {
    gallery ??= buildGallery();
    return gallery;
  }

  return {
    /** The photo check's view of enrolled pupils: ids and descriptors, never names. */
    galleryForChecks: referenceGallery,

    assertCanEnrol,

    async enrolReference(pupilId: number, photo: Buffer, actorId: number) {
      assertCanEnrol(pupilId);
      const analysis = await c.engine.analyse(photo);
      const assessed = await assessReferencePhoto(photo, analysis);
      if (!assessed.ok) throw unprocessable(assessed.reason, PROBLEMS[assessed.reason] ?? 'This photo cannot be used as a reference.');
      if (!assessed.face.descriptor) throw unprocessable('no_descriptor', PROBLEMS.no_descriptor);
      // Against every usable reference: this pupil's (agreement) and everyone else's (no mix-up).
      const distances = referenceGallery().distancesByPupil(assessed.face.descriptor);
      const problem = referenceConsistency(distances, pupilId, c.matching ?? { threshold: DEFAULT_THRESHOLD, margin: DEFAULT_MARGIN });
      if (problem) {
        audit.record('reference_face.refused', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { reason: problem } });
        throw unprocessable(problem, CONSISTENCY[problem]);
      }
      const thumbnail = await makeThumbnail(photo, assessed.face.box);
      const descriptorEnc = sealTemplate(cipher, pupilId, 'descriptor', descriptorBytes(assessed.face.descriptor));
      const thumbnailEnc = sealTemplate(cipher, pupilId, 'thumbnail', thumbnail);
      // Consent may have been withdrawn while the engine ran: decide again inside the write.
      const id = c.db.transaction(() => {
        assertCanEnrol(pupilId);
        return consents.insertReference({
          pupilId, descriptorEnc, thumbnailEnc, faceWidth: Math.round(assessed.face.box.width), quality: assessed.quality,
          createdBy: actorId, createdAt: c.now(), keyId: cipher.keyId,
        });
      })();
      audit.record('reference_face.enrolled', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { referenceId: id } });
      c.galleryChanged();
      return consents.referencesOf(pupilId).find((r) => r.id === id)!;
    },

    referenceThumbnail(pupilId: number, refId: number, actorId: number): Buffer {
      const row = consents.thumbnail(pupilId, refId);
      if (!row?.sealed) throw notFound('reference thumbnail');
      let plain: Buffer;
      try {
        plain = openTemplate(cipher, { pupilId, keyId: row.keyId }, 'thumbnail', row.sealed);
      } catch (err) {
        audit.record('reference_face.unreadable', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { referenceId: refId } });
        throw err;
      }
      audit.record('reference_face.viewed', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { referenceId: refId } });
      return plain;
    },

    /** Rows sealed before migration 005 (no key id, no binding to their pupil) are sealed again. */
    resealLegacyTemplates(): number {
      if (!consents.templateKeyIds().some((k) => k.keyId === null)) return 0;
      const n = reseal(cipher, 'legacy');
      if (n > 0) audit.record('reference_faces.resealed', { details: { count: n } });
      return n;
    },

    /** Re-encrypts every template under `next` in one transaction; refuses if any template does
     *  not open with the current key (nothing is changed then). */
    rotateTemplateKey(next: Cipher, actorId: number | null): { count: number; from: string; to: string } {
      if (next.keyId === cipher.keyId) throw new AppError('same_key', 409, 'The new key is the key in use.');
      const count = reseal(next, 'all');
      audit.record('reference_faces.key_rotated', { actorId, details: { count, fromKey: cipher.keyId, toKey: next.keyId } });
      return { count, from: cipher.keyId, to: next.keyId };
    },

    /** Templates sealed by a key other than the one in use (after a rotation the server was not
     *  told about): the operator must be told, they are unreadable. */
    templatesUnderOtherKeys: (): number => consents.templateKeyIds()
      .filter((k) => k.keyId !== null && k.keyId !== cipher.keyId).reduce((n, k) => n + k.count, 0),

    deleteReference(pupilId: number, refId: number, actorId: number) {
      c.requirePupil(pupilId);
      if (!consents.deleteReference(pupilId, refId)) throw notFound('reference photo');
      audit.record('reference_faces.deleted', { actorId, subjectType: 'pupil', subjectId: pupilId, details: { count: 1, reason: 'deleted_by_admin', referenceId: refId } });
      c.galleryChanged();
      c.checkpointAfterErasure();
    },
  };
}
