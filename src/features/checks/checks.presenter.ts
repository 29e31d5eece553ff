import type { Mask, MaskStyle } from '../faces/masks';
import { LIKELY_FACE_SCORE, type Box } from '../faces/types';
import type { NotRecognisedReason } from '../register/recognition.service';
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
  /** Server-side: the pixels destroyed for this face (blurred faces only). */
  region?: Box;
  /** The parent confirmed this weak detection is not a person and it was put back. */
  revealed?: boolean;
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
  /** The checking parent's own children who were not recognised (names of their own only). */
  notRecognised?: Array<{ id: number; firstName: string; reason: NotRecognisedReason }>;
  /** Blurs the parent added on review, and how they are drawn. */
  added?: Mask[];
  maskStyle?: MaskStyle;
  /** Bumped at each new copy, so a browser fetches the new one. */
  version?: number;
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
  /** A weak detection ("may be a face") the parent may reveal after a look and a confirmation. */
  mayReveal: boolean;
  /** The parent revealed it: not a person. */
  revealed: boolean;
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
  /** Own children not recognised, with what to do: plain words, no one else named. */
  notRecognised: Array<{ firstName: string; reason: NotRecognisedReason; message: string }>;
  addedMasks: Mask[];
  maskStyle: MaskStyle;
  safeCopyUrl: string;
  downloadUrl: string;
  thumbnailUrl: string;
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

/** A weak detection blurred "to be safe" (never matched, never a likely face) in a standard
 *  check: the only kind of blur a parent may take back. "Only my child" blurs everything else by
 *  design, so nothing is revealed there. */
export const mayReveal = (f: FaceReport, mode: CheckMode): boolean =>
  mode === 'standard' && f.blurred && !f.revealed && f.verdict === 'unknown' && f.score < LIKELY_FACE_SCORE && f.region !== undefined;

/** Fail closed: anything not visibly left unblurred counts as blurred; a name only for own_child. */
export function presentFace(f: FaceReport, mode: CheckMode = 'only_my_child'): ParentFace {
  const outcome: FaceOutcome = f.blurred ? 'blurred' : f.verdict === 'own_child' && f.pupil ? 'own_child' : 'visible';
  const face: ParentFace = { box: box(f.box), score: f.score, outcome, blurred: f.blurred, mayReveal: mayReveal(f, mode), revealed: f.revealed === true };
  if (outcome === 'own_child') face.child = { id: f.pupil!.id, firstName: f.pupil!.firstName };
  return face;
}

function presentPhoto(checkId: string, mode: CheckMode, p: PhotoReport | PhotoFailure): ParentPhoto | ParentPhotoFailure {
  if (!p.ok) return { index: p.index, ok: false, error: { code: p.error.code, message: p.error.message } };
  const faces = p.faces.map((f) => presentFace(f, mode));
  const url = `/api/checks/${checkId}/photos/${p.index}`;
  const v = p.version ? `v=${p.version}` : '';
  const counts: Record<FaceOutcome, number> = { own_child: 0, visible: 0, blurred: 0 };
  for (const f of faces) counts[f.outcome] += 1;
  return {
    index: p.index, ok: true, fileName: p.fileName, width: p.width, height: p.height,
    faces, blurredRegions: p.blurredRegions.map(box), counts,
    alreadySafe: p.alreadySafe, crowded: p.crowded,
    summary: summarise(faces),
    notRecognised: (p.notRecognised ?? []).map((c) => ({ firstName: c.firstName, reason: c.reason, message: notRecognisedMessage(c.firstName, c.reason) })),
    addedMasks: (p.added ?? []).map((m) => ({ shape: m.shape, x: m.x, y: m.y, width: m.width, height: m.height })),
    maskStyle: p.maskStyle ?? 'pixelate',
    safeCopyUrl: v ? `${url}?${v}` : url,
    downloadUrl: `${url}?download${v ? `&${v}` : ''}`,
    thumbnailUrl: `${url}?size=thumb${v ? `&${v}` : ''}`,
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
    photos: c.photos.map((p) => presentPhoto(c.id, c.mode, p)),
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
  const revealed = faces.filter((f) => f.revealed).length;
  const visible = faces.filter((f) => f.outcome === 'visible').length - revealed;
  const parts: string[] = [];
  if (blurred > 0) {
    parts.push(`${blurred} ${blurred === 1 ? 'face' : 'faces'} blurred.`);
  } else {
    parts.push('No faces needed blurring.');
  }
  if (own.length > 0) parts.push(`Your ${own.length === 1 ? 'child' : 'children'} ${joinNames(own)} ${own.length === 1 ? 'is' : 'are'} visible.`);
  if (visible > 0) parts.push(`${visible} more ${visible === 1 ? 'face stays' : 'faces stay'} visible.`);
  if (maybe > 0) parts.push(`${maybe} more ${maybe === 1 ? 'place that may be a face was' : 'places that may be faces were'} blurred to be safe.`);
  if (revealed > 0) parts.push(`${revealed} ${revealed === 1 ? 'place you checked is' : 'places you checked are'} not a face and ${revealed === 1 ? 'was' : 'were'} put back.`);
  return parts.join(' ');
}

const joinNames = (names: string[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** What a parent is told about their own child who was not recognised, and what to do. */
export function notRecognisedMessage(name: string, reason: NotRecognisedReason): string {
  switch (reason) {
    case 'no_match':
      return `We did not recognise ${name} in this photo, so if ${name} is in it, their face is blurred. Ask the school office to add a clearer photo of ${name}.`;
    case 'no_reference':
      return `The school has no reference photo of ${name} yet, so ShareSafe cannot recognise ${name}: if ${name} is in this photo, their face is blurred. Ask the school office to add a photo of ${name}.`;
    default:
      return `ShareSafe can only recognise ${name} with your consent to the school using a reference photo of ${name}'s face, so if ${name} is in this photo, their face is blurred. You can give it on the Consent page, then ask the school office to add a photo of ${name}.`;
  }
}
