import { coveredShare } from '../../bench/eval-metrics';
import { destroyOutside, outsideRects, spotlightBlock, spotlightFor, spotlightRegion } from '../../src/features/faces/spotlight';

const r = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('outsideRects', () => {
  test.each([
    ['nothing is kept', [], 100 * 80],
    ['one region in the middle is kept', [r(20, 20, 30, 30)], 100 * 80 - 900],
    ['two overlapping regions are kept', [r(10, 10, 20, 20), r(20, 20, 20, 20)], 100 * 80 - 700],
    ['a region runs past the edge', [r(90, 70, 30, 30)], 100 * 80 - 100],
  ])('when %s, then the rectangles cover exactly the rest of the image', (_name, keep, area) => {
    const rects = outsideRects(keep, 100, 80);
    expect(rects.reduce((n, b) => n + b.width * b.height, 0)).toBe(area);
    expect(coveredShare(r(0, 0, 100, 80), [...rects, ...keep])).toBe(1);
    for (const k of keep) for (const b of rects) expect(coveredShare(b, [k])).toBe(0);
  });
});

describe('spotlight geometry', () => {
  test('when a face is found, then its spotlight holds the face, hair and shoulders and stays inside the image', () => {
    const region = spotlightRegion(r(100, 100, 50, 60), 1000, 1000);
    expect(coveredShare(r(100, 100, 50, 60), [region])).toBe(1);
    expect(region).toEqual(r(50, 52, 150, 198));
    expect(spotlightRegion(r(0, 0, 50, 60), 60, 100)).toEqual(r(0, 0, 60, 100));
  });

  test('when the largest face is 400 px, then background blocks are at least 100 px; never finer than 1/64 of the photo', () => {
    expect(spotlightBlock(400, 4032, 3024)).toBe(100);
    expect(spotlightBlock(20, 4032, 3024)).toBe(63);
    expect(spotlightBlock(0, 100, 100)).toBe(8);
  });

  test('when no face is the own child, then nothing is kept and the whole photo is outside', () => {
    const s = spotlightFor([r(10, 10, 20, 20)], [false], 200, 100);
    expect(s.keep).toEqual([]);
    expect(s.outside).toEqual([r(0, 0, 200, 100)]);
  });
});

describe('destroyOutside', () => {
  test('when a noisy image is spotlit, then kept pixels are untouched and every other pixel is smoothed', () => {
    const width = 128;
    const height = 96;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 7919) % 251;
    const before = data.slice();
    const keep = [r(40, 30, 20, 20)];
    destroyOutside({ data, width, height, channels: 3 }, keep, 16);
    let changedInside = 0;
    let roughOutside = 0;
    for (let y = 0; y < height; y += 1) {
      for (let x = 1; x < width - 1; x += 1) {
        const i = (y * width + x) * 3;
        const inside = x >= 40 && x < 60 && y >= 30 && y < 50;
        if (inside && data[i] !== before[i]) changedInside += 1;
        const near = x >= 38 && x < 62 && y >= 28 && y < 52;
        if (!near && Math.abs(data[i + 3]! - 2 * data[i]! + data[i - 3]!) > 2) roughOutside += 1;
      }
    }
    expect(changedInside).toBe(0);
    expect(roughOutside).toBe(0);
  });
});
