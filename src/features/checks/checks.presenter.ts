import { LIKELY_FACE_SCORE, type Box } from '../faces/types';
import type { CheckMode, Verdict } from './verdict';

// Two shapes of one check. The STORED record (server-side, in uploads/<id>/check.json) keeps the
// detailed verdicts for the office's counts and the evaluation. What leaves the server for a
// parent is built field by field below (an allow-list): per face only "your child" (with a first
// name), "visible" or "blurred". Whether a blurred face was an enrolled pupil without consent or
// nobody the register knows, and any other pupil's id or name, never leave the server: a parent
// must not learn whether a child is a pupil at all. Fields added to the stored record later
// (server-side flags, spotlight details) stay server-side unless added here on purpose.

export interface FaceReport {
  box: Box;
  /** Detector confidence (0..1, two decimals). Under LIKELY_FACE_SCORE the "face" may be a
   *  pattern, a hand or a blurred background: blurred all the same, counted apart in the summary. */
  score: number;
  /** Server-side only. */
  verdict: Verdict;
  blurred: boolean;
  /** Only for the checking parent's own child. */
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
  /** Server-side only (the office's aggregate counts). */
  counts: Record<Verdict, number>;
  /** True when faces were found and none needed blurring (never for a photo with no face found:
   *  that may be a detection miss, so it is not vouched for). */
  alreadySafe: boolean;
  /** Many small faces: detection is less certain, so "only my child" mode is suggested. */
  crowded: boolean;
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

/** What a parent may know about one face. */
export type FaceOutcome = 'own_child' | 'visible' | 'blurred';

export interface ParentFace {
  box: Box;
  score: number;
  outcome: FaceOutcome;
  blurred: boolean;
  /** Only when outcome is own_child. */
  child?: { id: number; firstName: string };
}

export interface ParentPhoto {
  index: number;
  ok: true;
  fileName: string;
  width: number;
  height: number;
  faces: ParentFace[];
  blurredRegions: Box[];
  counts: Record<FaceOutcome, number>;
  alreadySafe: boolean;
  crowded: boolean;
  summary: string;
  safeCopyUrl: string;
}

export interface ParentPhotoFailure {
  index: number;
  ok: false;
  error: { code: string; message: string };
}

export interface ParentCheck {
  id: string;
  eventId: number | null;
  mode: CheckMode;
  createdAt: string;
  expiresAt: string;
  zipUrl: string;
  photos: Array<ParentPhoto | ParentPhotoFailure>;
}

const box = (b: Box): Box => ({ x: b.x, y: b.y, width: b.width, height: b.height });

/** Fail closed: anything not visibly left unblurred counts as blurred; a name only for own_child. */
export function presentFace(f: FaceReport): ParentFace {
  const outcome: FaceOutcome = f.blurred ? 'blurred' : f.verdict === 'own_child' && f.pupil ? 'own_child' : 'visible';
  const face: ParentFace = { box: box(f.box), score: f.score, outcome, blurred: f.blurred };
  if (outcome === 'own_child') face.child = { id: f.pupil!.id, firstName: f.pupil!.firstName };
  return face;
}

function presentPhoto(checkId: string, p: PhotoReport | PhotoFailure): ParentPhoto | ParentPhotoFailure {
  if (!p.ok) return { index: p.index, ok: false, error: { code: p.error.code, message: p.error.message } };
  const faces = p.faces.map(presentFace);
  const counts: Record<FaceOutcome, number> = { own_child: 0, visible: 0, blurred: 0 };
  for (const f of faces) counts[f.outcome] += 1;
  return {
    index: p.index, ok: true, fileName: p.fileName, width: p.width, height: p.height,
    faces, blurredRegions: p.blurredRegions.map(box), counts,
    alreadySafe: p.alreadySafe, crowded: p.crowded,
    summary: summarise(faces),
    safeCopyUrl: `/api/checks/${checkId}/photos/${p.index}`,
  };
}

/** What leaves the server for the parent who ran the check (API, pages, CLI for a parent). */
export function presentCheck(c: CheckRecord): ParentCheck {
  return {
    id: c.id,
    eventId: c.eventId,
    mode: c.mode,
    createdAt: c.createdAt,
    expiresAt: c.expiresAt,
    zipUrl: `/api/checks/${c.id}/zip`,
    photos: c.photos.map((p) => presentPhoto(c.id, p)),
  };
}

/** Plain words for a parent, from what they may know: names only of their own children, and
 *  one word for every blurred face whatever the reason. Detections under LIKELY_FACE_SCORE are
 *  counted apart as "places that may be faces" (that split depends on the detector, not on the
 *  register). */
export function summarise(faces: ParentFace[]): string {
  if (faces.length === 0) return 'No faces found. Check the photo yourself before sharing.';
  const maybe = faces.filter((f) => f.blurred && f.score < LIKELY_FACE_SCORE).length;
  const blurred = faces.filter((f) => f.blurred).length - maybe;
  const own = [...new Set(faces.filter((f) => f.outcome === 'own_child').map((f) => f.child!.firstName))];
  const visible = faces.filter((f) => f.outcome === 'visible').length;
  const parts: string[] = [];
  if (blurred > 0) {
    parts.push(`${blurred} ${blurred === 1 ? 'face' : 'faces'} blurred.`);
  } else {
    parts.push('No faces needed blurring.');
  }
  if (own.length > 0) parts.push(`Your ${own.length === 1 ? 'child' : 'children'} ${joinNames(own)} ${own.length === 1 ? 'is' : 'are'} visible.`);
  if (visible > 0) parts.push(`${visible} more ${visible === 1 ? 'face stays' : 'faces stay'} visible.`);
  if (maybe > 0) parts.push(`${maybe} more ${maybe === 1 ? 'place that may be a face was' : 'places that may be faces were'} blurred to be safe.`);
  return parts.join(' ');
}

const joinNames = (names: string[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
