import { blurFrame, frameBytes, mergeOverlapping } from '../../src/features/videos/frame-blur';
import type { Box } from '../../src/features/faces/types';

const inside = (p: { x: number; y: number }, b: Box) => p.x >= b.x && p.x < b.x + b.width && p.y >= b.y && p.y < b.y + b.height;

/** A deterministic pseudo-random box inside 400x300. */
function boxes(seed: number, n: number): Box[] {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
  return Array.from({ length: n }, () => {
    const width = 20 + Math.floor(rnd() * 120);
    const height = 20 + Math.floor(rnd() * 120);
    return { x: Math.floor(rnd() * (400 - width)), y: Math.floor(rnd() * (300 - height)), width, height };
  });
}

describe('merging a frame\'s overlapping masks', () => {
  test('when masks are merged, then every pixel of every mask is still inside a merged box, and fewer boxes remain where masks pile up', () => {
    const lost: string[] = [];
    let before = 0;
    let after = 0;
    for (let seed = 1; seed <= 40; seed += 1) {
      const masks = boxes(seed, 18);
      const merged = mergeOverlapping(masks);
      before += masks.length;
      after += merged.length;
      for (const m of masks) {
        for (let y = m.y; y < m.y + m.height; y += 1) {
          for (let x = m.x; x < m.x + m.width; x += 1) if (!merged.some((b) => inside({ x, y }, b))) lost.push(`seed ${seed}: ${x},${y}`);
        }
      }
    }
    expect(lost.slice(0, 5)).toEqual([]);
    expect(after).toBeLessThan(before);
    // Nested and side-by-side masks of one face become one box.
    expect(mergeOverlapping([{ x: 0, y: 0, width: 100, height: 100 }, { x: 10, y: 10, width: 50, height: 50 }, { x: 100, y: 0, width: 20, height: 100 }]))
      .toEqual([{ x: 0, y: 0, width: 120, height: 100 }]);
  });

  test('when a visible face lies between two masks, then the merged box never reaches into it', () => {
    const a = { x: 0, y: 0, width: 100, height: 100 };
    const b = { x: 80, y: 80, width: 100, height: 100 };
    // Their enclosing box would add far more than 10% to their union: they stay apart.
    expect(mergeOverlapping([a, b])).toHaveLength(2);
    const c = { x: 0, y: 0, width: 100, height: 100 };
    const d = { x: 5, y: 0, width: 100, height: 104 };
    expect(mergeOverlapping([c, d])).toEqual([{ x: 0, y: 0, width: 105, height: 104 }]);
    // A visible face in the corner the enclosing box would add (x 0-4, y 100-103), touching
    // neither mask: no merge.
    expect(mergeOverlapping([c, d], [{ x: 0, y: 100, width: 5, height: 4 }])).toHaveLength(2);
    // A child's face clear of that box: the merge happens.
    expect(mergeOverlapping([c, d], [{ x: 110, y: 101, width: 30, height: 30 }])).toHaveLength(1);
  });

  test('when a frame is blurred with a visible face beside overlapping masks, then the face\'s pixels are untouched and the masks\' are changed', () => {
    const size = { width: 64, height: 48 };
    const frame = new Uint8Array(frameBytes(size)).map((_, i) => (i * 37) % 251);
    const before = Uint8Array.from(frame);
    const face = { x: 40, y: 0, width: 24, height: 24 };
    blurFrame(frame, size, [{ x: 0, y: 0, width: 30, height: 30 }, { x: 2, y: 0, width: 36, height: 32 }], undefined, [face]);
    const luma = (x: number, y: number, f: Uint8Array) => f[y * size.width + x];
    for (let y = face.y; y < face.y + face.height; y += 1) for (let x = face.x; x < face.x + face.width; x += 1) expect(luma(x, y, frame)).toBe(luma(x, y, before));
    let changed = 0;
    for (let y = 0; y < 30; y += 1) for (let x = 0; x < 30; x += 1) if (luma(x, y, frame) !== luma(x, y, before)) changed += 1;
    expect(changed).toBeGreaterThan(800);
  });
});
