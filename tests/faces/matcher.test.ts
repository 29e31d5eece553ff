import { Gallery, euclideanDistance } from '../../src/features/faces/matcher';

/** A unit vector along axis `i`, scaled: distances between such vectors are easy to reason about. */
function vec(entries: Record<number, number>): Float32Array {
  const v = new Float32Array(128);
  for (const [i, x] of Object.entries(entries)) v[Number(i)] = x;
  return v;
}

const alice = vec({ 0: 1 });
const aliceAgain = vec({ 0: 1, 1: 0.2 }); // distance 0.2 from alice
const bob = vec({ 2: 1 });

describe('Gallery.match', () => {
  test.each([
    ['the gallery is empty', [], vec({ 0: 1 }), {}, null],
    ['the face is a close copy of one pupil', [{ pupilId: 1, descriptor: alice }, { pupilId: 2, descriptor: bob }], vec({ 0: 1, 3: 0.1 }), {}, 1],
    ['the best distance is at the threshold', [{ pupilId: 1, descriptor: alice }], vec({ 0: 1, 3: 0.5 }), {}, null],
    ['the face is just under the threshold and nobody else is near', [{ pupilId: 1, descriptor: alice }], vec({ 0: 1, 3: 0.49 }), {}, 1],
    ['a look-alike pupil is within the margin', [{ pupilId: 1, descriptor: alice }, { pupilId: 2, descriptor: vec({ 0: 1, 4: 0.1 }) }], vec({ 0: 1, 3: 0.2 }), {}, null],
    ['the runner-up pupil is clearly further', [{ pupilId: 1, descriptor: alice }, { pupilId: 2, descriptor: vec({ 0: 1, 4: 0.45 }) }], vec({ 0: 1, 3: 0.2 }), {}, 1],
    ['the nearest is a non-candidate under threshold - outsiderMargin', [{ pupilId: 1, descriptor: alice }], vec({ 0: 1, 3: 0.3 }), { candidates: new Set([2]) }, 1],
    ['the nearest is a non-candidate only just under the threshold', [{ pupilId: 1, descriptor: alice }], vec({ 0: 1, 3: 0.45 }), { candidates: new Set([2]) }, null],
    ['the nearest is a candidate just under the threshold', [{ pupilId: 1, descriptor: alice }], vec({ 0: 1, 3: 0.45 }), { candidates: new Set([1]) }, 1],
    ['only my child: the face is another pupil, not one of the parent\'s children', [{ pupilId: 1, descriptor: alice }, { pupilId: 2, descriptor: bob }], vec({ 2: 1, 3: 0.1 }), { within: new Set([1]) }, null],
    ['only my child: the face is the parent\'s child', [{ pupilId: 1, descriptor: alice }, { pupilId: 2, descriptor: bob }], vec({ 0: 1, 3: 0.1 }), { within: new Set([1]) }, 1],
    ['only my child: the parent has no enrolled child', [{ pupilId: 1, descriptor: alice }], vec({ 0: 1, 3: 0.1 }), { within: new Set<number>() }, null],
    ['the descriptor has the wrong length', [{ pupilId: 1, descriptor: alice }], new Float32Array(64), {}, null],
    ['the descriptor contains NaN', [{ pupilId: 1, descriptor: alice }], vec({ 0: NaN }), {}, null],
  ])('when %s, then the match is %p', (_name, refs, query, opts, expected) => {
    const result = new Gallery(refs).match(query, opts);
    expect(result?.pupilId ?? null).toBe(expected);
  });

  test('when a pupil has several references, then its distance is the nearest one and they are not each other\'s runner-up', () => {
    const gallery = new Gallery([
      { pupilId: 1, descriptor: alice },
      { pupilId: 1, descriptor: aliceAgain },
      { pupilId: 2, descriptor: bob },
    ]);
    const m = gallery.match(vec({ 0: 1, 1: 0.15 }));
    expect(m?.pupilId).toBe(1);
    expect(m?.distance).toBeCloseTo(0.05, 5);
    expect(m?.runnerUpDistance).toBeCloseTo(euclideanDistance(vec({ 0: 1, 1: 0.15 }), bob), 5);
  });

  test('when only one pupil is enrolled, then the runner-up distance is Infinity', () => {
    expect(new Gallery([{ pupilId: 7, descriptor: alice }]).match(alice)?.runnerUpDistance).toBe(Infinity);
  });

  test('when a stricter threshold is given, then it is honoured', () => {
    const gallery = new Gallery([{ pupilId: 1, descriptor: alice }]);
    expect(gallery.match(vec({ 0: 1, 3: 0.3 }), { threshold: 0.25 })).toBeNull();
  });

  test('when a reference is malformed, then it is left out of the gallery', () => {
    expect(new Gallery([{ pupilId: 1, descriptor: new Float32Array(3) }, { pupilId: 2, descriptor: bob }]).size).toBe(1);
  });
});
