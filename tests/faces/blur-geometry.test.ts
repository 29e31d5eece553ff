import { blurRegionFor } from '../../src/features/faces/blur-geometry';
import type { Box } from '../../src/features/faces/types';

const contains = (outer: Box, inner: Box) =>
  outer.x <= inner.x && outer.y <= inner.y &&
  outer.x + outer.width >= inner.x + inner.width && outer.y + outer.height >= inner.y + inner.height;

describe('blurRegionFor', () => {
  test.each([
    // [case, box, image, expected region]
    ['a normal face in the middle', { x: 400, y: 300, width: 100, height: 120 }, [1920, 1280], { x: 370, y: 240, width: 160, height: 216 }],
    ['a small face (<40 px)', { x: 500, y: 500, width: 30, height: 30 }, [1920, 1280], { x: 482, y: 476, width: 66, height: 72 }],
    ['a face at the top-left corner', { x: 0, y: 0, width: 100, height: 100 }, [1920, 1280], { x: 0, y: 0, width: 130, height: 130 }],
    ['a face at the bottom-right corner', { x: 1850, y: 1200, width: 70, height: 80 }, [1920, 1280], { x: 1829, y: 1160, width: 91, height: 120 }],
  ])('when %s, then the region is enlarged, lifted and clamped', (_name, box, [w, h], expected) => {
    expect(blurRegionFor(box, w, h)).toEqual(expected);
  });

  test.each([
    [{ x: 10.4, y: 20.7, width: 50.2, height: 60.9 }],
    [{ x: 900, y: 10, width: 300, height: 320 }],
    [{ x: 1000, y: 600, width: 12, height: 14 }],
    [{ x: 1900, y: 1270, width: 20, height: 10 }],
  ])('when the box is %o, then the region covers it whole and stays inside the image', (box) => {
    const region = blurRegionFor(box, 1920, 1280);
    const clampedBox = { x: box.x, y: box.y, width: Math.min(box.width, 1920 - box.x), height: Math.min(box.height, 1280 - box.y) };
    expect(contains(region, clampedBox)).toBe(true);
    expect(region.x).toBeGreaterThanOrEqual(0);
    expect(region.y).toBeGreaterThanOrEqual(0);
    expect(region.x + region.width).toBeLessThanOrEqual(1920);
    expect(region.y + region.height).toBeLessThanOrEqual(1280);
    expect(Number.isInteger(region.x) && Number.isInteger(region.width)).toBe(true);
  });

  test('when the face is small, then it is enlarged more than a large face, relative to its size', () => {
    const small = blurRegionFor({ x: 500, y: 500, width: 30, height: 30 }, 1920, 1280);
    const large = blurRegionFor({ x: 500, y: 500, width: 120, height: 120 }, 1920, 1280);
    expect(small.width / 30).toBeGreaterThan(large.width / 120);
  });
});
