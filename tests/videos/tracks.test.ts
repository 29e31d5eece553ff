import type { Box } from '../../src/features/faces/types';
import { matchTrack, withoutSimultaneousClaims } from '../../src/features/videos/track-decisions';
import { boxAt, maskAt, Tracker, type Detection, type Track } from '../../src/features/videos/tracks';

const box = (x: number, y = 100, side = 50): Box => ({ x, y, width: side, height: side });
const det = (frame: number, b: Box, descriptor: Float32Array | null = null): Detection =>
  ({ frame, box: b, score: 0.9, descriptor, region: { x: b.x - 10, y: b.y - 10, width: b.width + 20, height: b.height + 20 } });
const covers = (outer: Box | null, inner: Box) => !!outer && outer.x <= inner.x && outer.y <= inner.y
  && outer.x + outer.width >= inner.x + inner.width && outer.y + outer.height >= inner.y + inner.height;

describe('tracker', () => {
  test.each([
    { when: 'a face moves a little between detections', steps: [[box(100)], [box(110)], [box(120)]], tracks: [3] },
    { when: 'a face moves fast (boxes barely overlap) at the same size', steps: [[box(100)], [box(120)], [box(140)]], tracks: [3] },
    { when: 'two faces stand apart', steps: [[box(100), box(400)], [box(105), box(405)]], tracks: [2, 2] },
    { when: 'a face is missed once and found again', steps: [[box(100)], [], [box(104)]], tracks: [2] },
    { when: 'a face is missed too long', steps: [[box(100)], [], [], [], [box(100)]], tracks: [1, 1] },
    { when: 'a different face appears far away', steps: [[box(100)], [box(600)]], tracks: [1, 1] },
  ])('when $when, then the tracks have $tracks detections', ({ steps, tracks }) => {
    const t = new Tracker();
    steps.forEach((boxes, i) => t.add(boxes.map((b) => det(i * 10, b))));
    expect(t.tracks.map((x) => x.detections.length)).toEqual(tracks);
  });
});

describe('masks', () => {
  const track: Track = { id: 0, detections: [det(10, box(100)), det(20, box(160))] };
  const o = { lead: 13, tail: 13, width: 1000, height: 1000 };
  test.each([
    { frame: -4, masked: false }, { frame: -3, masked: true }, { frame: 0, masked: true }, { frame: 10, masked: true },
    { frame: 15, masked: true }, { frame: 20, masked: true }, { frame: 33, masked: true }, { frame: 34, masked: false },
  ])('when frame $frame, then masked is $masked', ({ frame, masked }) => {
    expect(maskAt(track, frame, o) !== null).toBe(masked);
  });

  test('when a face moves between detections, then every in-between position is covered (no flicker, no gap)', () => {
    for (let f = 10; f <= 20; f += 1) {
      const where = boxAt(track, f)!; // where a linearly moving face is
      expect(covers(maskAt(track, f, o), where)).toBe(true);
    }
  });

  test('when after the last detection a face keeps moving, then the mask follows at its pace', () => {
    const moving: Track = { id: 0, detections: [det(10, box(100)), det(20, box(150))] }; // 5 px a frame
    for (const f of [25, 30, 33]) expect(covers(maskAt(moving, f, o), box(100 + 5 * (f - 10)))).toBe(true);
  });

  test('when a track was last seen at the picture\'s edge, then its mask is held longer (the face is leaving, cut by the edge)', () => {
    const leaving: Track = { id: 0, detections: [det(10, box(900)), det(20, box(945))] }; // region reaches x=1000
    expect(maskAt(leaving, 20 + 40, { ...o, edgeHold: 45 })).not.toBeNull();
    expect(maskAt(leaving, 20 + 46, { ...o, edgeHold: 45 })).toBeNull();
    expect(maskAt(track, 20 + 40, { ...o, edgeHold: 45 })).toBeNull(); // mid-picture: the usual tail
  });

  test('when before the first detection, then the mask is the first region grown, so a face entering is covered', () => {
    expect(covers(maskAt(track, 0, o), track.detections[0]!.region)).toBe(true);
    expect(maskAt(track, 0, o)!.width).toBeGreaterThan(track.detections[0]!.region.width);
  });
});

describe('track matching (fail closed)', () => {
  const d = (n: number) => new Float32Array([n]);
  const trackOf = (ids: Array<number | null>): Track => ({ id: 0, detections: ids.map((v, i) => det(i * 10, box(100), v === null ? null : d(v))) });
  const match = (x: Float32Array) => (x[0]! > 0 ? { pupilId: x[0]!, distance: 0.3, runnerUpDistance: 0.6 } : null);
  test.each([
    { when: 'one description only', votes: [7], pupil: null },
    { when: 'two descriptions agree', votes: [7, 7], pupil: 7 },
    { when: 'most agree and the rest match nobody', votes: [7, 7, 0, 7], pupil: 7 },
    { when: 'half match nobody', votes: [7, 0, 7, 0], pupil: null },
    { when: 'one frame matches someone else', votes: [7, 7, 7, 8], pupil: null },
    { when: 'no descriptors (faces too small)', votes: [null, null, null], pupil: null },
    { when: 'a long track agrees throughout', votes: Array(30).fill(7), pupil: 7 },
  ])('when $when, then the track shows $pupil', ({ votes, pupil }) => {
    expect(matchTrack(trackOf(votes), match)).toBe(pupil);
  });

  test('when two tracks claim the same pupil at the same time, then neither keeps the claim; one after the other, both do', () => {
    const at = (from: number, to: number): Track => ({ id: 0, detections: [det(from, box(0)), det(to, box(0))] });
    expect(withoutSimultaneousClaims([at(0, 50), at(40, 90)], [7, 7])).toEqual([null, null]);
    expect(withoutSimultaneousClaims([at(0, 50), at(60, 90)], [7, 7])).toEqual([7, 7]);
    expect(withoutSimultaneousClaims([at(0, 50), at(40, 90)], [7, 8])).toEqual([7, 8]);
  });
});
