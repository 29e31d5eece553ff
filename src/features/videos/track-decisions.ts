// Which tracks stay visible. A track is one face through time; it is visible only when it is
// positively matched, on descriptors from several of its frames, to a pupil whom the photos'
// own rules (face-decisions.ts) let this parent see. Short tracks (one description), tracks whose
// frames disagree, and tracks claiming a pupil another simultaneous track also claims are
// blurred: fail closed.
import type { Match } from '../faces/matcher';
import type { Track } from './tracks';

/** Descriptors compared per track (spread over its life, best detections first). */
export const DESCRIPTORS_PER_TRACK = 7;
/** A track needs at least this many matching descriptors. */
export const MIN_AGREEING = 2;

/** The pupil a track shows, or null: at least MIN_AGREEING and more than half of the compared
 *  descriptors match the same pupil, and none matches anyone else. */
export function matchTrack(track: Track, match: (d: Float32Array) => Match | null): number | null {
  const described = track.detections.filter((d) => d.descriptor !== null);
  if (described.length < MIN_AGREEING) return null;
  // Spread over the track's life, so one stretch of a look-alike angle cannot decide alone.
  const picked = described.length <= DESCRIPTORS_PER_TRACK
    ? described
    : Array.from({ length: DESCRIPTORS_PER_TRACK }, (_, i) => described[Math.round((i * (described.length - 1)) / (DESCRIPTORS_PER_TRACK - 1))]!);
  const votes = new Map<number, number>();
  for (const d of picked) {
    const m = match(d.descriptor!);
    if (m) votes.set(m.pupilId, (votes.get(m.pupilId) ?? 0) + 1);
  }
  if (votes.size !== 1) return null;
  const [[pupilId, count]] = [...votes];
  return count >= MIN_AGREEING && count * 2 > picked.length ? pupilId! : null;
}

/** A pupil is on screen once at a time: two tracks that overlap in time and claim the same
 *  pupil mean one of them is someone else (a twin, a look-alike), so both lose the claim. */
export function withoutSimultaneousClaims(tracks: readonly Track[], claims: Array<number | null>): Array<number | null> {
  const span = (t: Track) => [t.detections[0]!.frame, t.detections[t.detections.length - 1]!.frame] as const;
  return claims.map((c, i) => {
    if (c === null) return null;
    const [a0, a1] = span(tracks[i]!);
    const clash = claims.some((other, j) => {
      if (j === i || other !== c) return false;
      const [b0, b1] = span(tracks[j]!);
      return a0 <= b1 && b0 <= a1;
    });
    return clash ? null : c;
  });
}
