import { LIKELY_FACE_SCORE, type Box } from '../faces/types';
import type { CheckMode, Verdict } from './verdict';

export interface FaceReport {
  box: Box;
  /** Detector confidence (0..1, two decimals). Under LIKELY_FACE_SCORE the "face" may be a
   *  pattern, a hand or a blurred background: blurred all the same, counted apart in the summary. */
  score: number;
  verdict: Verdict;
  blurred: boolean;
  /** Only for the checking parent's own child: a parent never learns another child's name. */
  pupil?: { id: number; firstName: string };
}

export interface PhotoReport {
  index: number;
  ok: true;
  /** Name of the safe copy: a fresh name, never the uploaded file's. */
  fileName: string;
  width: number;
  height: number;
  faces: FaceReport[];
  /** The exact regions blurred in the safe copy, in its pixel coordinates. */
  blurredRegions: Box[];
  counts: Record<Verdict, number>;
  /** True when faces were found and none needed blurring (never for a photo with no face found:
   *  that may be a detection miss, so it is not vouched for). */
  alreadySafe: boolean;
  /** Many small faces: detection is less certain, so "only my child" mode is suggested. */
  crowded: boolean;
  summary: string;
}

export interface PhotoFailure {
  index: number;
  ok: false;
  error: { code: string; message: string };
}

export interface CheckRecord {
  id: string;
  ownerId: number;
  eventId: number | null;
  mode: CheckMode;
  createdAt: string;
  expiresAt: string;
  photos: Array<PhotoReport | PhotoFailure>;
}

/** What leaves the server: the record without its owner, plus download links. */
export function presentCheck(c: CheckRecord) {
  return {
    id: c.id,
    eventId: c.eventId,
    mode: c.mode,
    createdAt: c.createdAt,
    expiresAt: c.expiresAt,
    zipUrl: `/api/checks/${c.id}/zip`,
    photos: c.photos.map((p) => (p.ok ? { ...p, safeCopyUrl: `/api/checks/${c.id}/photos/${p.index}` } : p)),
  };
}

/** Plain words for a parent; names only of their own children. Detections under
 *  LIKELY_FACE_SCORE are counted apart as "places that may be faces": blurred all the same (fail
 *  closed), the split only keeps the counts honest. */
export function summarise(faces: FaceReport[]): string {
  if (faces.length === 0) return 'No faces found. Check the photo yourself before sharing.';
  const maybe = faces.filter((f) => f.blurred && f.score < LIKELY_FACE_SCORE).length;
  const blurred = faces.filter((f) => f.blurred).length - maybe;
  const own = [...new Set(faces.filter((f) => f.verdict === 'own_child').map((f) => f.pupil!.firstName))];
  const consented = faces.filter((f) => f.verdict === 'consented').length;
  const parts: string[] = [];
  if (blurred > 0) {
    parts.push(`${blurred} ${blurred === 1 ? 'face' : 'faces'} blurred: children without consent or not recognised.`);
  } else {
    parts.push('No faces needed blurring.');
  }
  if (own.length > 0) parts.push(`Your ${own.length === 1 ? 'child' : 'children'} ${joinNames(own)} ${own.length === 1 ? 'is' : 'are'} visible.`);
  if (consented > 0) parts.push(`${consented} ${consented === 1 ? 'child has' : 'children have'} consent to appear and ${consented === 1 ? 'stays' : 'stay'} visible.`);
  if (maybe > 0) parts.push(`${maybe} more ${maybe === 1 ? 'place that may be a face was' : 'places that may be faces were'} blurred to be safe.`);
  return parts.join(' ');
}

const joinNames = (names: string[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
