import { mayReveal, presentFace, summarise, type FaceReport } from '../../src/features/checks/checks.presenter';
import { decideVerdict, isVisible, withoutAmbiguousMatches, type CheckMode } from '../../src/features/checks/verdict';

const own = new Set([1, 6]);
const consent = new Map([[2, true], [3, false], [5, true], [6, true]]);
const mayBeSibling = new Set([5, 6]);

test.each<[string, number | null, CheckMode, string, boolean]>([
  ['no match', null, 'standard', 'unknown', false],
  ['pupil with current consent and an unenrolled twin', 5, 'standard', 'unknown', false],
  ['own child with an unenrolled twin', 6, 'standard', 'own_child', true],
  ['own child', 1, 'standard', 'own_child', true],
  ['own child, only-my-child mode', 1, 'only_my_child', 'own_child', true],
  ['pupil with current consent', 2, 'standard', 'consented', true],
  ['pupil with current consent, only-my-child mode', 2, 'only_my_child', 'no_consent', false],
  ['pupil whose consent is not current', 3, 'standard', 'no_consent', false],
  ['pupil the register knows nothing about', 4, 'standard', 'no_consent', false],
])('when the face is a %s, then the verdict is right and visibility fails closed', (_case, matched, mode, verdict, visible) => {
  const v = decideVerdict({ matchedPupilId: matched, ownChildren: own, consentCurrent: consent, mayBeSibling, mode });
  expect(v).toBe(verdict);
  expect(isVisible(v)).toBe(visible);
});

const face = (verdict: 'own_child' | 'consented' | 'no_consent' | 'unknown', firstName?: string, score = 0.99) => ({
  box: { x: 0, y: 0, width: 10, height: 10 }, score, verdict, blurred: !['own_child', 'consented'].includes(verdict),
  ...(firstName ? { pupil: { id: 1, firstName } } : {}),
} as FaceReport);

test.each([
  [[], 'No faces found. Check the photo yourself before sharing.'],
  [[face('own_child', 'Amy'), face('unknown'), face('no_consent')], '2 faces blurred. Your child Amy is visible.'],
  [[face('own_child', 'Amy'), face('own_child', 'Tom')], 'No faces needed blurring. Your children Amy and Tom are visible.'],
  [[face('consented')], 'No faces needed blurring. 1 more face stays visible.'],
  [[face('own_child', 'Amy'), face('unknown', undefined, 0.31)], 'No faces needed blurring. Your child Amy is visible. 1 more place that may be a face was blurred to be safe.'],
  [[face('unknown'), face('unknown', undefined, 0.4), face('unknown', undefined, 0.3)], '1 face blurred. 2 more places that may be faces were blurred to be safe.'],
])('when summarising %j, then the words are plain and name only own children', (faces, words) => {
  expect(summarise((faces as FaceReport[]).map((f) => presentFace(f)))).toBe(words);
});

test.each<[string, FaceReport, ReturnType<typeof presentFace>]>([
  ['own child', face('own_child', 'Amy'), { box: face('own_child').box, score: 0.99, outcome: 'own_child', blurred: false, child: { id: 1, firstName: 'Amy' }, mayReveal: false, revealed: false }],
  ['consented pupil', face('consented'), { box: face('own_child').box, score: 0.99, outcome: 'visible', blurred: false, mayReveal: false, revealed: false }],
  ['pupil without consent', { ...face('no_consent'), pupil: { id: 7, firstName: 'Zed' } }, { box: face('own_child').box, score: 0.99, outcome: 'blurred', blurred: true, mayReveal: false, revealed: false }],
  ['stranger', face('unknown'), { box: face('own_child').box, score: 0.99, outcome: 'blurred', blurred: true, mayReveal: false, revealed: false }],
  ['stored face with unknown extra fields', { ...face('consented'), visiblePupilIds: [3], spotlight: { pupilId: 3 } } as FaceReport,
    { box: face('own_child').box, score: 0.99, outcome: 'visible', blurred: false, mayReveal: false, revealed: false }],
])('when presenting a %s to a parent, then only outcome, box and score leave (and a name only for their own child)', (_case, stored, shown) => {
  expect(presentFace(stored)).toStrictEqual(shown);
});

const region = { x: 0, y: 0, width: 16, height: 16 };
test.each<[string, FaceReport, 'standard' | 'only_my_child', boolean]>([
  ['a weak unmatched detection in a standard check', { ...face('unknown', undefined, 0.3), region }, 'standard', true],
  ['a likely face nobody matched', { ...face('unknown', undefined, 0.6), region }, 'standard', false],
  ['a weak detection in "only my child"', { ...face('unknown', undefined, 0.3), region }, 'only_my_child', false],
  ['a weak detection already revealed', { ...face('unknown', undefined, 0.3), region, revealed: true }, 'standard', false],
  ['a pupil without consent', { ...face('no_consent', undefined, 0.3), region }, 'standard', false],
  ['a weak detection without a stored region', face('unknown', undefined, 0.3), 'standard', false],
])('when the face is %s, then mayReveal is %p', (_case, stored, mode, expected) => {
  expect(mayReveal(stored, mode)).toBe(expected);
  expect(presentFace(stored, mode).mayReveal).toBe(expected);
});

test('when a stored face without consent and without a match look different inside, then the parent sees the same thing', () => {
  const strip = (f: FaceReport) => JSON.stringify(presentFace(f));
  expect(strip(face('no_consent'))).toBe(strip(face('unknown')));
});

test.each([
  ['no matches', [null, null], [null, null]],
  ['distinct pupils', [{ pupilId: 1 }, { pupilId: 2 }, null], [{ pupilId: 1 }, { pupilId: 2 }, null]],
  ['one pupil claimed twice', [{ pupilId: 1 }, { pupilId: 2 }, { pupilId: 1 }], [null, { pupilId: 2 }, null]],
])('when matches are %s, then every face claiming the same pupil becomes uncertain', (_case, input, output) => {
  expect(withoutAmbiguousMatches(input)).toEqual(output);
});
