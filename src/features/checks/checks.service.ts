import type { Clock } from '../../platform/clock';
import { AppError, badRequest, notFound } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { Audit } from '../audit/audit.service';
import { decodeForSafeCopy, encodeSafeCopy, releaseDecodedHeic, spotlightFor } from '../faces';
import { LIKELY_FACE_SCORE, type Analysis, type Box, type FaceEngine } from '../faces/types';
import type { RawPixels } from '../faces/pixelate';
import { cropRgb } from '../faces/raw-image';
import sharp from 'sharp';
import type { NotRecognisedReason, Recognition } from '../register/recognition.service';
import { checkAdmission, type AdmissionLimits } from './admission';
import type { CheckStore, StoredCheck } from './check-store';
import type { CheckRecord, FaceReport, PhotoFailure, PhotoReport } from './checks.presenter';
import { decideFaces, matchingFor } from './face-decisions';
import { safeCopyName } from './file-names';
import { createReviewService } from './review.service';
import { createRevealCrops, cropKey, type RevealCrop, type RevealCrops } from './reveal-crops';
import { isVisible, withoutAmbiguousMatches, type CheckMode, type Verdict } from './verdict';

/** What the check needs from the register: kept narrow so the check never sees other children's names. */
export interface RegisterPort {
  galleryForChecks(): {
    match(d: Float32Array, o: { threshold: number; margin: number; candidates?: Set<number>; outsiderMargin?: number; within?: ReadonlySet<number> }):
      { pupilId: number; distance: number; runnerUpDistance: number } | null;
  };
  childrenOf(parentUserId: number): { id: number; firstName: string }[];
  photoConsentCurrent(pupilIds: number[]): Map<number, boolean>;
  /** Matched pupils who may be an unenrolled twin or look-alike sibling (see lookalike.service). */
  mayBeUnenrolledSibling(pupilIds: number[]): Set<number>;
  /** Whether the parent's own children can be recognised at all (asked about them only). */
  recognitionOf(pupilIds: number[]): Map<number, Recognition>;
  /** Counts for the office: a photo by this pupil's parent did not recognise the pupil. */
  recordNotRecognised(pupilId: number, reason: NotRecognisedReason): void;
}

export interface EventsPort {
  /** Pupils taking part; throws notFound for an unknown event. */
  participantIds(eventId: number): Set<number>;
}

export interface ChecksDeps {
  engine: FaceEngine;
  register: RegisterPort;
  events?: EventsPort;
  store: CheckStore;
  /** Original pixels of weak detections, in memory only, so the parent may reveal them
   *  (default: this process's own, reveal-crops.ts). */
  crops?: RevealCrops;
  audit: Audit;
  clock: Clock;
  logger: Logger;
  matching: { threshold: number; margin: number; outsiderMargin: number };
  imageLimits: { maxPixels: number };
  /** Check requests handled at once (total, per user) and the largest declared body. */
  admission: AdmissionLimits;
  expiryMinutes: number;
}

export interface UploadedPhoto {
  buffer: Buffer;
  /** The name the photo had on the parent's device (multer's originalname); only a sanitised
   *  form of it is kept, as the safe copy's name. */
  originalname?: string;
}

/** Faces this small or this many mean detection is less certain: suggest "only my child". */
const CROWD_FACES = 12;
const SMALL_FACE_PX = 40;

export type ChecksService = ReturnType<typeof createChecksService>;

export function createChecksService(deps: ChecksDeps) {
  const d = { ...deps, crops: deps.crops ?? createRevealCrops() };
  function verdictsFor(analysis: Analysis, userId: number, mode: CheckMode, candidates?: Set<number>, visible?: Set<number>): FaceReport[] {
    const matching = matchingFor(d.register, d.matching, userId, mode, candidates);
    const matches = withoutAmbiguousMatches(analysis.faces.map((f) => matching.match(f.descriptor)));
    const decisions = decideFaces(d.register, matching, matches.map((m) => m?.pupilId ?? null), mode);
    return analysis.faces.map((face, i) => {
      const { verdict, pupil } = decisions[i]!;
      if (isVisible(verdict) && matches[i]) visible?.add(matches[i]!.pupilId);
      const report: FaceReport = { box: roundBox(face.box), score: Math.round(face.score * 100) / 100, verdict, blurred: !isVisible(verdict) };
      if (report.blurred) report.region = toPixelBox(face.blurRegion, analysis.width, analysis.height);
      if (pupil) report.pupil = pupil;
      return report;
    });
  }

  async function checkOne(photo: UploadedPhoto, index: number, userId: number, mode: CheckMode, candidates: Set<number> | undefined, visible: Set<number>) {
    // The full-size decode for the safe copy runs on libuv's threads while the worker detects.
    const pixels = decodeForSafeCopy(photo.buffer, d.imageLimits);
    pixels.catch(() => undefined); // if analyse fails first, this rejection is already handled
    const analysis = await d.engine.analyse(photo.buffer);
    const faces = verdictsFor(analysis, userId, mode, candidates, visible);
    const blurredRegions = faces.filter((f) => f.blurred).map((f) => ({ ...f.region! }));
    // "Only my child": everything outside the own children's head and shoulders is destroyed
    // too, so a face the detectors missed is never left sharp (spotlight.ts).
    const spot = mode === 'only_my_child'
      ? spotlightFor(analysis.faces.map((f) => f.box), faces.map((f) => f.verdict === 'own_child'), analysis.width, analysis.height)
      : null;
    const raw = await pixels;
    // Before the copy destroys them: the original pixels of each weak region, for a reveal.
    const weak = mode === 'standard' ? weakRegions(raw, faces, index) : [];
    const safeCopy = await encodeSafeCopy(raw, blurredRegions, spot ?? undefined);
    if (spot) blurredRegions.push(...spot.outside);
    const counts: Record<Verdict, number> = { own_child: 0, consented: 0, no_consent: 0, unknown: 0 };
    for (const f of faces) counts[f.verdict] += 1;
    const small = analysis.faces.filter((f) => f.box.width < SMALL_FACE_PX).length;
    const report: PhotoReport = {
      index, ok: true, fileName: '', width: analysis.width, height: analysis.height,
      faces, blurredRegions, counts,
      alreadySafe: faces.length > 0 && blurredRegions.length === 0,
      crowded: faces.length >= CROWD_FACES || small >= 3,
    };
    const notRecognised = ownNotRecognised(userId, faces);
    if (notRecognised.length > 0) report.notRecognised = notRecognised;
    return { report, safeCopy, crops: await encodeCrops(weak) };
  }

  /** The parent's own children who were not recognised in a photo that blurred a likely face
   *  (so they may be behind a blur): the parent is told why, the office gets a count. */
  function ownNotRecognised(userId: number, faces: FaceReport[]): NonNullable<PhotoReport['notRecognised']> {
    if (!faces.some((f) => f.blurred && f.score >= LIKELY_FACE_SCORE)) return [];
    const recognised = new Set(faces.filter((f) => f.verdict === 'own_child').map((f) => f.pupil!.id));
    const missing = d.register.childrenOf(userId).filter((c) => !recognised.has(c.id));
    if (missing.length === 0) return [];
    const recognition = d.register.recognitionOf(missing.map((c) => c.id));
    return missing.map((c) => {
      const r = recognition.get(c.id) ?? 'no_biometric_consent';
      const reason: NotRecognisedReason = r === 'enrolled' ? 'no_match' : r;
      d.register.recordNotRecognised(c.id, reason);
      return { id: c.id, firstName: c.firstName, reason };
    });
  }

  return {
    /** Route middleware shared by every way in (API and pages), placed before the upload parser. */
    admission: checkAdmission(d.admission),
    /** The parent's review of a result: blur more, put back a weak region (review.service.ts). */
    review: createReviewService({ store: d.store, crops: d.crops, audit: d.audit, clock: d.clock }),

    async check(userId: number, photos: UploadedPhoto[], opts: { mode: CheckMode; eventId?: number }): Promise<CheckRecord> {
      if (photos.length === 0) throw badRequest('Choose at least one photo to check.');
      const candidates = opts.eventId !== undefined ? requireEvents().participantIds(opts.eventId) : undefined;
      const id = d.store.newId();
      const results: Array<PhotoReport | PhotoFailure> = [];
      const safeCopies = new Map<number, Buffer>();
      const crops = new Map<string, RevealCrop>();
      const usedNames = new Set<string>();
      const visible = new Set<number>();
      // One photo at a time per request keeps memory bounded; the engine's pool serves many requests.
      for (const [index, photo] of photos.entries()) {
        try {
          const one = await checkOne(photo, index, userId, opts.mode, candidates, visible)
            .finally(() => releaseDecodedHeic(photo.buffer));
          const { report, safeCopy } = one;
          for (const [k, c] of one.crops) crops.set(k, c);
          report.fileName = safeCopyName(photo.originalname, index, usedNames);
          results.push(report);
          safeCopies.set(index, safeCopy);
        } catch (err) {
          // Bad input fails only its own photo; an engine failure fails the whole check (fail closed).
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          results.push({ index, ok: false, error: { code: err.code, message: err.message } });
        }
      }
      const failures = results.filter((r): r is PhotoFailure => !r.ok);
      if (failures.length === photos.length) {
        const first = failures[0]!.error;
        const status = photos.length === 1 ? statusOf(first.code) : 422;
        throw new AppError(first.code, status, photos.length === 1 ? first.message : `None of the photos could be checked: ${first.message}`);
      }
      const now = d.clock.now();
      const record: CheckRecord = {
        id, ownerId: userId, eventId: opts.eventId ?? null, mode: opts.mode,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + d.expiryMinutes * 60_000).toISOString(),
        photos: results,
      };
      const stored: StoredCheck = { ...record, visiblePupilIds: [...visible].sort((a, b) => a - b) };
      d.store.save(stored, safeCopies);
      d.crops.put(id, new Date(record.expiresAt), crops);
      const ok = results.filter((r): r is PhotoReport => r.ok);
      d.audit.record('check.completed', {
        actorId: userId, subjectType: opts.eventId ? 'event' : undefined, subjectId: opts.eventId,
        details: {
          photos: photos.length, failed: failures.length,
          faces: ok.reduce((n, r) => n + r.faces.length, 0),
          blurred: ok.reduce((n, r) => n + r.blurredRegions.length, 0),
          // For the office only (the parent never sees these): how the faces were decided.
          ...Object.fromEntries((['own_child', 'consented', 'no_consent', 'unknown'] as const)
            .map((v) => [v, ok.reduce((n, r) => n + r.counts[v], 0)])),
        },
      });
      d.logger.info({ photos: photos.length, failed: failures.length }, 'check completed');
      return record;
    },

    /** The owner's check; anyone else gets the same 404 as for a check that never existed. */
    get(userId: number, id: string): CheckRecord {
      const stored = d.store.load(id);
      if (!stored || stored.ownerId !== userId || new Date(stored.expiresAt) <= d.clock.now()) throw notFound('check');
      const { visiblePupilIds: _serverOnly, ...record } = stored; // never leaves the service
      return record;
    },

    safeCopyPath(userId: number, id: string, index: number): { path: string; fileName: string } {
      const record = this.get(userId, id);
      const photo = record.photos.find((p) => p.index === index);
      const file = d.store.safeCopyPath(id, index);
      if (!photo || !photo.ok || !file) throw notFound('photo');
      return { path: file, fileName: photo.fileName };
    },

    remove(userId: number, id: string) {
      this.get(userId, id);
      d.store.remove(id);
      d.crops.drop(id);
    },

    /** The parent's checks that have not expired yet, newest first. */
    recent(userId: number): CheckRecord[] {
      const now = d.clock.now();
      return d.store.listByOwner(userId).filter((r) => new Date(r.expiresAt) > now)
        .map(({ visiblePupilIds: _serverOnly, ...record }) => record);
    },

    /** Consent ceased: every stored check in which this pupil is visible goes, at once. */
    removeShowingPupil(pupilId: number): number {
      const removed = d.store.removeShowing(pupilId);
      if (removed > 0) {
        d.audit.record('checks.deleted', { subjectType: 'pupil', subjectId: pupilId, details: { count: removed, reason: 'consent_ceased' } });
        d.logger.info({ removed }, 'checks showing a pupil deleted after consent ceased');
      }
      return removed;
    },

    /** The account is being erased: every check it made goes, at once. */
    removeOwnedBy(userId: number): number {
      const mine = d.store.listByOwner(userId);
      for (const r of mine) {
        d.store.remove(r.id);
        d.crops.drop(r.id);
      }
      if (mine.length > 0) d.audit.record('checks.deleted', { subjectType: 'user', subjectId: userId, details: { count: mine.length, reason: 'account_erased' } });
      return mine.length;
    },

    sweep(): number {
      d.crops.sweep(d.clock.now());
      return d.store.sweep(d.clock.now(), d.expiryMinutes * 60_000);
    },
  };

  function requireEvents(): EventsPort {
    if (!d.events) throw notFound('event');
    return d.events;
  }
}

/** The weak detections' regions ("may be a face": under LIKELY_FACE_SCORE, never matched). */
function weakRegions(raw: RawPixels, faces: FaceReport[], photoIndex: number): Array<{ key: string; rect: Box; rgb: Uint8Array }> {
  if (raw.channels !== 3) return [];
  const out: Array<{ key: string; rect: Box; rgb: Uint8Array }> = [];
  faces.forEach((f, i) => {
    if (!f.blurred || f.verdict !== 'unknown' || f.score >= LIKELY_FACE_SCORE || !f.region || f.region.width <= 0 || f.region.height <= 0) return;
    out.push({ key: cropKey(photoIndex, i), rect: f.region, rgb: cropRgb(raw, f.region).data });
  });
  return out;
}

async function encodeCrops(weak: Array<{ key: string; rect: Box; rgb: Uint8Array }>): Promise<Map<string, RevealCrop>> {
  const out = new Map<string, RevealCrop>();
  for (const w of weak) {
    const jpeg = await sharp(w.rgb, { raw: { width: w.rect.width, height: w.rect.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
    out.set(w.key, { rect: w.rect, jpeg });
  }
  return out;
}

/** Whole pixels, rounded outwards so the blurred area never shrinks, clamped to the image. */
export function toPixelBox(b: { x: number; y: number; width: number; height: number }, w: number, h: number) {
  const x = Math.max(0, Math.floor(b.x));
  const y = Math.max(0, Math.floor(b.y));
  return { x, y, width: Math.min(w, Math.ceil(b.x + b.width)) - x, height: Math.min(h, Math.ceil(b.y + b.height)) - y };
}

export const roundBox = (b: { x: number; y: number; width: number; height: number }) => ({
  x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height),
});

const statusOf = (code: string): number => (code === 'unsupported_media_type' ? 415 : 422);
