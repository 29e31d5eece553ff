// Faces through time. Detection runs on every k-th frame; detections are linked into tracks by
// overlap (IoU) with the track's latest box, allowing a missed detection or two. Between two
// detections of a track its mask is the union (hull) of both regions, so a moving face stays
// covered and the mask never flickers off; it starts `lead` frames before the first detection
// (a face entering the picture is hidden from its first frame, since it is detected within k
// frames) and lasts `tail` frames after the last. Pure: no I/O.
import { iou } from '../faces/box-overlap';
import type { Box } from '../faces/types';

export interface Detection {
  frame: number;
  box: Box;
  score: number;
  descriptor: Float32Array | null;
  /** The region the photo pipeline would blur for this face (blurRegionFor). */
  region: Box;
}

export interface Track {
  id: number;
  detections: Detection[];
}

export interface TrackerOptions {
  /** Detection steps a track may go unseen and still be continued. */
  maxMissedSteps: number;
  /** Overlap needed to continue a track (boxes k frames apart). */
  minIou: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { maxMissedSteps: 2, minIou: 0.2 };

const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

/** How well a detection continues a track: IoU, or for a fast-moving face whose boxes no
 *  longer overlap much, closeness of the centres for a face of similar size. 0: no link. */
function linkScore(last: Box, next: Box, minIou: number): number {
  const overlap = iou(last, next);
  if (overlap >= minIou) return 1 + overlap;
  const size = Math.max(last.width, last.height, next.width, next.height);
  const ratio = (next.width * next.height) / Math.max(1, last.width * last.height);
  const a = centre(last);
  const b = centre(next);
  const dist = Math.hypot(a.x - b.x, a.y - b.y);
  return ratio > 0.5 && ratio < 2 && dist < 0.5 * size ? 1 - dist / size : 0;
}

export class Tracker {
  private readonly all: Track[] = [];
  private steps = 0;
  private readonly lastStep = new Map<number, number>();

  constructor(private readonly opts: TrackerOptions = DEFAULT_TRACKER) {}

  /** Detections of one detection frame; frames must come in increasing order. */
  add(detections: Detection[]): void {
    this.steps += 1;
    const live = this.all.filter((t) => this.steps - this.lastStep.get(t.id)! <= this.opts.maxMissedSteps + 1);
    const pairs: Array<{ t: Track; d: number; s: number }> = [];
    for (const t of live) {
      const last = t.detections[t.detections.length - 1]!.box;
      detections.forEach((det, d) => {
        const s = linkScore(last, det.box, this.opts.minIou);
        if (s > 0) pairs.push({ t, d, s });
      });
    }
    pairs.sort((a, b) => b.s - a.s);
    const usedTracks = new Set<number>();
    const usedDets = new Set<number>();
    for (const p of pairs) {
      if (usedTracks.has(p.t.id) || usedDets.has(p.d)) continue;
      usedTracks.add(p.t.id);
      usedDets.add(p.d);
      p.t.detections.push(detections[p.d]!);
      this.lastStep.set(p.t.id, this.steps);
    }
    detections.forEach((det, d) => {
      if (usedDets.has(d)) return;
      const t: Track = { id: this.all.length, detections: [det] };
      this.all.push(t);
      this.lastStep.set(t.id, this.steps);
    });
  }

  get tracks(): readonly Track[] {
    return this.all;
  }
}

export const hull = (a: Box, b: Box): Box => {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
};

/** A region grown by `f` of its size on every side, clamped to the frame (before the first and
 *  after the last detection the face may have moved). */
export function grow(b: Box, f: number, width: number, height: number): Box {
  const x = Math.max(0, Math.floor(b.x - b.width * f));
  const y = Math.max(0, Math.floor(b.y - b.height * f));
  const right = Math.min(width, Math.ceil(b.x + b.width * (1 + f)));
  const bottom = Math.min(height, Math.ceil(b.y + b.height * (1 + f)));
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

export interface MaskOptions {
  /** Frames masked before the first detection and after the last. */
  lead: number;
  tail: number;
  /** Longer lead/tail for a track first or last seen touching the picture's edge: a face cut by
   *  the edge is found less and less as it leaves (or enters), so its mask stays this long. */
  edgeHold?: number;
  width: number;
  height: number;
}

/** Last detection at or before `frame` and first at or after it (binary search). */
function around(dets: Detection[], frame: number): [Detection | undefined, Detection | undefined] {
  let lo = 0;
  let hi = dets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dets[mid]!.frame <= frame) lo = mid + 1;
    else hi = mid;
  }
  const before = dets[lo - 1];
  return [before, before?.frame === frame ? before : dets[lo]];
}

/** The region a track masks in `frame`, or null when the track is not on screen then. */
export function maskAt(track: Track, frame: number, o: MaskOptions): Box | null {
  const dets = track.detections;
  const first = dets[0]!;
  const last = dets[dets.length - 1]!;
  const atEdge = (r: Box) => r.x <= 1 || r.y <= 1 || r.x + r.width >= o.width - 1 || r.y + r.height >= o.height - 1;
  const lead = atEdge(first.region) ? Math.max(o.lead, o.edgeHold ?? 0) : o.lead;
  const tail = atEdge(last.region) ? Math.max(o.tail, o.edgeHold ?? 0) : o.tail;
  if (frame < first.frame - lead || frame > last.frame + tail) return null;
  const [a, b] = around(dets, frame);
  if (a && b) return a === b ? a.region : hull(a.region, b.region);
  // Before the first or after the last detection: where the face was, grown, and where it is
  // heading at the pace of its last (or first) two detections (a face leaving the picture is
  // usually moving, and cut by the edge the detector stops finding it).
  const [near, next] = a ? [last, dets[dets.length - 2]] : [first, dets[1]];
  const here = grow(near.region, 0.25, o.width, o.height);
  if (!next) return here;
  const k = (frame - near.frame) / (near.frame - next.frame);
  const moved = { ...here, x: here.x + (near.region.x - next.region.x) * k, y: here.y + (near.region.y - next.region.y) * k };
  const clipped = grow(moved, 0, o.width, o.height);
  return clipped.width > 0 && clipped.height > 0 ? hull(here, clipped) : here;
}

/** The face box of a track in `frame`, interpolated between detections (for the spotlight's
 *  kept region, which must follow the child without growing). */
export function boxAt(track: Track, frame: number): Box | null {
  const dets = track.detections;
  if (frame < dets[0]!.frame || frame > dets[dets.length - 1]!.frame) return null;
  const [a, b] = around(dets, frame);
  if (!a || !b) return null;
  if (a === b) return a.box;
  const t = (frame - a.frame) / (b.frame - a.frame);
  const mix = (p: number, q: number) => p + (q - p) * t;
  return { x: mix(a.box.x, b.box.x), y: mix(a.box.y, b.box.y), width: mix(a.box.width, b.box.width), height: mix(a.box.height, b.box.height) };
}
