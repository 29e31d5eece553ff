import {
  coveredShare, iou, isCovered, overBlurShare, percentile, pointInAny, sameFace, sizeBucket, Tally,
} from '../../bench/eval-metrics';
import { exposureExtra, type FaceOutcome } from '../../bench/eval-score';

const r = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('coveredShare', () => {
  test.each([
    ['there are no regions', r(0, 0, 10, 10), [], 0],
    ['one region holds the whole box', r(10, 10, 10, 10), [r(0, 0, 100, 100)], 1],
    ['a region covers the left half', r(0, 0, 10, 10), [r(-5, -5, 10, 20)], 0.5],
    ['two regions overlap on the box (overlap counted once)', r(0, 0, 10, 10), [r(0, 0, 6, 10), r(4, 0, 6, 10)], 1],
    ['two regions overlap and leave a corner', r(0, 0, 10, 10), [r(0, 0, 10, 5), r(0, 0, 5, 10)], 0.75],
    ['a region lies beside the box', r(0, 0, 10, 10), [r(10, 0, 10, 10)], 0],
    ['the box has no area', r(0, 0, 0, 10), [r(0, 0, 10, 10)], 0],
  ])('when %s, then the share is %p', (_name, box, regions, expected) => {
    expect(coveredShare(box, regions)).toBeCloseTo(expected, 10);
  });

  test('when several regions each cover under 70% but together cover 72%, then the face counts as covered', () => {
    const box = r(0, 0, 100, 100);
    const regions = [r(0, 0, 40, 100), r(30, 0, 42, 100)];
    expect(coveredShare(box, regions)).toBeCloseTo(0.72, 10);
    expect(isCovered({ box, nose: null }, regions)).toBe(true);
    expect(isCovered({ box, nose: null }, [regions[0]!])).toBe(false);
  });
});

describe('nose points', () => {
  test.each([
    ['inside a region', [5, 5], true],
    ['on the left/top edge (inclusive)', [0, 0], true],
    ['on the right edge (exclusive)', [10, 5], false],
    ['outside every region', [50, 50], false],
  ] as const)('when the nose is %s, then inside is %p', (_name, nose, expected) => {
    expect(pointInAny(nose, [r(0, 0, 10, 10)])).toBe(expected);
    expect(isCovered({ box: null, nose: [nose[0], nose[1]] }, [r(0, 0, 10, 10)])).toBe(expected);
  });
});

describe('sizeBucket', () => {
  test.each([
    [19.9, '<20'], [20, '20-40'], [39, '20-40'], [40, '40-80'], [79, '40-80'], [80, '>=80'], [300, '>=80'],
  ])('when the true box is %p px wide, then the bucket is %s', (width, bucket) => {
    expect(sizeBucket(r(0, 0, width, width))).toBe(bucket);
  });

  test('when a face has only a nose point, then it has its own bucket', () => {
    expect(sizeBucket(null)).toBe('nose only');
  });
});

describe('iou and sameFace', () => {
  test('when boxes are identical, half-shifted or apart, then IoU is 1, 1/3 and 0', () => {
    expect(iou(r(0, 0, 10, 10), r(0, 0, 10, 10))).toBe(1);
    expect(iou(r(0, 0, 10, 10), r(5, 0, 10, 10))).toBeCloseTo(1 / 3, 10);
    expect(iou(r(0, 0, 10, 10), r(20, 0, 10, 10))).toBe(0);
  });

  test('when a reported box overlaps with IoU under 0.3, then it is not the same face', () => {
    expect(sameFace({ box: r(0, 0, 10, 10), nose: null }, [{ box: r(6, 0, 10, 10) }])).toBeNull();
    expect(sameFace({ box: r(0, 0, 10, 10), nose: null }, [{ box: r(6, 0, 10, 10) }, { box: r(1, 1, 10, 10) }])).toEqual({ box: r(1, 1, 10, 10) });
  });

  test('when a nose lies in two reported boxes, then the smaller box is the face', () => {
    const small = { box: r(40, 40, 20, 20) };
    expect(sameFace({ box: null, nose: [50, 50] }, [{ box: r(0, 0, 200, 200) }, small])).toBe(small);
    expect(sameFace({ box: null, nose: [500, 500] }, [small])).toBeNull();
  });
});

describe('Tally and percentile', () => {
  test('when hits are added by bucket, then totals add up', () => {
    const t = new Tally();
    t.add('<20', true);
    t.add('<20', false);
    t.add('>=80', false);
    expect(t.toJSON()).toEqual({ hits: 1, total: 3, rate: 1 / 3, byBucket: { '<20': { hits: 1, total: 2 }, '>=80': { hits: 0, total: 1 } } });
  });

  test('when asked for median and p90, then nearest-rank values are returned', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('overBlurShare', () => {
  const face = { box: r(10, 10, 10, 10), nose: null };
  test.each([
    ['no region is blurred', [], 0],
    ['the only region covers the face', [r(5, 5, 20, 20)], 0],
    ['a region touches the face by one pixel column', [r(19, 0, 30, 30)], 0],
    ['a 10x10 region lies away from the face', [r(50, 50, 10, 10)], 0.01],
    ['two idle regions overlap (counted once)', [r(50, 50, 10, 10), r(55, 50, 10, 10)], 0.015],
    ['one region covers the face and one is idle', [r(5, 5, 20, 20), r(80, 80, 20, 20)], 0.04],
  ])('when %s, then the over-blurred share of a 100x100 photo is %p', (_name, regions, expected) => {
    expect(overBlurShare(regions, [face], 100, 100)).toBeCloseTo(expected, 10);
  });

  test('when a region holds a nose point, then it is not over-blur', () => {
    expect(overBlurShare([r(0, 0, 50, 50)], [{ box: null, nose: [25, 25] }], 100, 100)).toBe(0);
    expect(overBlurShare([r(0, 0, 50, 50)], [{ box: null, nose: [75, 75] }], 100, 100)).toBeCloseTo(0.25, 10);
  });
});

describe('exposureExtra', () => {
  const o = (width: number | null, pose: FaceOutcome['pose'], covered: boolean): FaceOutcome => ({
    photo: 'p', category: 'crowd', bucket: '<20', width, pose, identity: 'unknown', covered, visible: null,
  });

  test('when faces of 39, 40 and 80 px and of each pose are scored, then the >=40 and pose rows count them', () => {
    const t = exposureExtra([o(39, 'typical', false), o(40, 'atypical', false), o(80, 'typical', true), o(null, null, false)], () => true).crowd.toJSON();
    expect(t.byBucket).toEqual({
      '>=40': { hits: 1, total: 2 },
      'pose typical': { hits: 1, total: 2 },
      'pose atypical': { hits: 1, total: 1 },
    });
  });
});
