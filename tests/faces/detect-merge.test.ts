import { fineCanvasSide, mergeDetections, tilesFor, withoutWeakContainers, yunetWholeScales } from '../../src/features/faces/detect-faces';

describe('yunetWholeScales', () => {
  test.each([
    ['a 12 MP phone photo', 4032, 3024, [2048 / 4032, 1280 / 4032, 640 / 4032]],
    ['a 1920 px photo (2048 px would not reduce it)', 1920, 1280, [1280 / 1920, 640 / 1920]],
    ['a 1024 px crowd photo (1280 px would not reduce it)', 1024, 768, [640 / 1024]],
    ['an 800 px photo (its tile already sees it at about that size)', 800, 600, []],
  ])('when the photo is %s (%i x %i), then YuNet also looks at the whole photo at %p', (_, w, h, scales) => {
    expect(yunetWholeScales(w, h)).toEqual(scales);
  });
});

describe('fineCanvasSide', () => {
  test('a photo is enlarged up to the canvas; a video frame (not magnified) is examined at its own size', () => {
    expect(fineCanvasSide(2048, 1280, 720, true)).toBe(2048);
    expect(fineCanvasSide(2048, 1280, 720, false)).toBe(1280);
    expect(fineCanvasSide(2048, 720, 1280, false)).toBe(1280);
    // Larger than the canvas: the same either way (never enlarged, and never more than asked).
    expect(fineCanvasSide(2048, 4032, 3024, false)).toBe(2048);
    expect(fineCanvasSide(2048, 4032, 3024, true)).toBe(2048);
  });
});

describe('tilesFor', () => {
  test.each([
    [640, 480, 0],
    [1920, 1280, 4],
    [1280, 1920, 4],
  ])('when the image is %i x %i, then there are %i tiles', (w, h, n) => {
    expect(tilesFor(w, h)).toHaveLength(n);
  });

  test('when tiles are made, then they cover every pixel and overlap their neighbours', () => {
    const tiles = tilesFor(1920, 1280);
    for (const [x, y] of [[0, 0], [1919, 1279], [960, 640], [1919, 0], [0, 1279]]) {
      expect(tiles.some((t) => x >= t.x && x < t.x + t.width && y >= t.y && y < t.y + t.height)).toBe(true);
    }
    const [a, b] = tiles;
    expect(a.x + a.width - b.x).toBeGreaterThanOrEqual(200);
  });
});

describe('mergeDetections', () => {
  const det = (x: number, y: number, w: number, h: number, score: number, fromTile = false) => {
    const box = { x, y, width: w, height: h };
    return { box, score, describeBox: box, fromTile };
  };

  test('when a tile yields a partial box inside a full one, then one face remains with the union box, described from the whole-image box', () => {
    const merged = mergeDetections([det(100, 100, 50, 100, 0.99, true), det(100, 100, 100, 90, 0.9)]);
    expect(merged).toHaveLength(1);
    expect(merged[0].box).toEqual({ x: 100, y: 100, width: 100, height: 100 });
    expect(merged[0].score).toBe(0.99);
    expect(merged[0].describeBox).toEqual({ x: 100, y: 100, width: 100, height: 90 });
  });

  test('when two faces touch cheek to cheek, then both remain', () => {
    expect(mergeDetections([det(100, 100, 100, 100, 0.9), det(180, 100, 100, 100, 0.8)])).toHaveLength(2);
  });

  test('when the same face is found twice with a small shift, then it is one face', () => {
    expect(mergeDetections([det(100, 100, 100, 100, 0.9), det(110, 105, 100, 100, 0.95)])).toHaveLength(1);
  });
});

describe('withoutWeakContainers', () => {
  const det = (x: number, y: number, w: number, h: number, score: number) => {
    const box = { x, y, width: w, height: h };
    return { box, score, describeBox: box, fromTile: false };
  };
  const face = det(100, 100, 50, 60, 0.99);

  test.each([
    ['a weak box 4x the face holds it whole (an arm, a torso)', det(80, 80, 100, 120, 0.3), 1],
    ['a strong box 4x the face holds it whole (two detectors disagree on a big face)', det(80, 80, 100, 120, 0.8), 2],
    ['a weak box of the same size overlaps it (a second guess at the face)', det(105, 100, 50, 60, 0.3), 2],
    ['a weak large box lies beside the face (maybe a face the detectors barely saw)', det(300, 100, 100, 120, 0.3), 2],
    ['a weak large box holds only half the face', det(125, 80, 100, 120, 0.3), 2],
  ])('when %s, then %i detections remain', (_name, other, count) => {
    expect(withoutWeakContainers([face, other])).toHaveLength(count);
  });
});
