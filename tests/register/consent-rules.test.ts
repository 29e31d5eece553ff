import {
  biometricConsentHolds, biometricSummary, latestByPerson, oneYearAfter, photoDecision,
  type ConsentKind, type PersonPosition, type Position, type PositionSource, type PupilStatus,
} from '../../src/features/register/consent-rules';
import { normaliseYearGroup } from '../../src/features/register/register.schemas';
import { mapColumns } from '../../src/features/register/csv-columns';

// Consent as sequences of what each person said, in order. mum and dad have parental
// responsibility; exdad is a parent account no longer linked; child is the pupil.
type Who = 'mum' | 'dad' | 'child' | 'exdad';
type Step = [Who, Position, { source?: PositionSource; reviewOn?: string }?];

const PEOPLE: Record<Who, { personId: number; isChild: boolean; hasResponsibility: boolean }> = {
  mum: { personId: 1, isChild: false, hasResponsibility: true },
  dad: { personId: 2, isChild: false, hasResponsibility: true },
  child: { personId: 3, isChild: true, hasResponsibility: false },
  exdad: { personId: 4, isChild: false, hasResponsibility: false },
};

/** Replays the steps as an append-only history and keeps each person's latest position. */
function replay(steps: Step[]): PersonPosition[] {
  const history = steps.map(([who, position, o = {}], i) => ({
    id: i + 1, ...PEOPLE[who], position, source: o.source ?? 'paper', reviewOn: o.reviewOn ?? (position === 'consents' ? '2027-03-02' : null),
  }));
  return latestByPerson(history);
}

const TODAY = '2026-03-02';

describe('photo-sharing consent, from each person’s latest position', () => {
  test.each<[string, Step[], PupilStatus, string, boolean]>([
    ['nobody has answered', [], 'on_roll', 'not_asked', false],
    ['a parent consents', [['mum', 'consents']], 'on_roll', 'granted', true],
    ['consent, then the other parent objects', [['mum', 'consents'], ['dad', 'objects']], 'on_roll', 'refused', false],
    ['an objection, then the other parent consents', [['dad', 'objects'], ['mum', 'consents']], 'on_roll', 'refused', false],
    ['the child refuses, then a parent consents', [['child', 'objects'], ['mum', 'consents']], 'on_roll', 'refused', false],
    ['an objection, then another person withdraws', [['dad', 'objects'], ['mum', 'consents'], ['mum', 'withdrawn']], 'on_roll', 'refused', false],
    ['an objection withdrawn by the same person, then consent', [['dad', 'objects'], ['dad', 'withdrawn'], ['mum', 'consents']], 'on_roll', 'granted', true],
    ['an objection withdrawn by the same person, nobody consents', [['dad', 'objects'], ['dad', 'withdrawn']], 'on_roll', 'not_asked', false],
    ['a parent changes their own mind to yes', [['mum', 'objects'], ['mum', 'consents']], 'on_roll', 'granted', true],
    ['a parent changes their own mind to no', [['mum', 'consents'], ['mum', 'objects']], 'on_roll', 'refused', false],
    ['the child’s refusal is withdrawn by the child', [['child', 'objects'], ['mum', 'consents'], ['child', 'withdrawn']], 'on_roll', 'granted', true],
    ['the consent’s review date was yesterday', [['mum', 'consents', { reviewOn: '2026-03-01' }]], 'on_roll', 'expired', false],
    ['the consent’s review date is today', [['mum', 'consents', { reviewOn: TODAY }]], 'on_roll', 'granted', true],
    ['one consent lapsed, another is current', [['mum', 'consents', { reviewOn: '2026-03-01' }], ['dad', 'consents']], 'on_roll', 'granted', true],
    ['a current consent for a pupil who left', [['mum', 'consents']], 'left', 'granted', false],
    ['only a person no longer linked consents', [['exdad', 'consents']], 'on_roll', 'not_asked', false],
    ['a person no longer linked objects', [['mum', 'consents'], ['exdad', 'objects']], 'on_roll', 'refused', false],
  ])('when %s, then the state is the right one', (_name, steps, status, state, current) => {
    const decision = photoDecision(replay(steps), TODAY, status);
    expect({ state: decision.state, current: decision.current }).toEqual({ state, current });
  });

  test('when two parents consent, then the later review date is the one shown', () => {
    const d = photoDecision(replay([['mum', 'consents', { reviewOn: '2026-06-01' }], ['dad', 'consents', { reviewOn: '2026-09-01' }]]), TODAY, 'on_roll');
    expect(d).toEqual({ state: 'granted', current: true, reviewOn: '2026-09-01' });
  });
});

describe('biometric consent (PoFA 2012 ss.26-27), from each person’s latest position', () => {
  test.each<[string, Step[], boolean]>([
    ['nobody has answered', [], false],
    ['a parent consents on a paper form', [['mum', 'consents']], true],
    ['a parent consents online', [['mum', 'consents', { source: 'online' }]], true],
    ['a parent’s consent was only noted by the office (not written)', [['mum', 'consents', { source: 'office' }]], false],
    ['consent, then the other parent objects', [['mum', 'consents'], ['dad', 'objects']], false],
    ['an objection, then the other parent consents', [['dad', 'objects'], ['mum', 'consents']], false],
    ['the child refuses, then a parent consents', [['child', 'objects'], ['mum', 'consents']], false],
    ['consent, then the child objects', [['mum', 'consents'], ['child', 'objects']], false],
    ['the child objects; another person withdraws and consents again', [['mum', 'consents'], ['child', 'objects'], ['mum', 'withdrawn'], ['mum', 'consents']], false],
    ['the child withdraws their own objection', [['mum', 'consents'], ['child', 'objects'], ['child', 'withdrawn']], true],
    ['an objection, then another parent withdraws', [['dad', 'objects'], ['mum', 'withdrawn']], false],
    ['an objection withdrawn by the same parent, then consent', [['dad', 'objects'], ['dad', 'withdrawn'], ['mum', 'consents']], true],
    ['the only consenting parent withdraws', [['mum', 'consents'], ['mum', 'withdrawn']], false],
    ['only a person no longer linked consents', [['exdad', 'consents']], false],
  ])('when %s, then consent holds: %s', (_name, steps, holds) => {
    expect(biometricConsentHolds(biometricSummary(replay(steps)))).toBe(holds);
  });

  test('when there is no record, then it does not hold', () => {
    expect(biometricConsentHolds(undefined)).toBe(false);
  });

  test('when a history is replayed, then only the latest position of each person counts, in any order', () => {
    const history = [
      { id: 3, personId: 1, consent: 'photo' as ConsentKind }, { id: 1, personId: 1, consent: 'photo' as ConsentKind },
      { id: 2, personId: 2, consent: 'photo' as ConsentKind },
    ];
    expect(latestByPerson(history).map((h) => h.id)).toEqual([2, 3]);
  });
});

describe('review dates and year groups', () => {
  test.each([
    ['2026-03-02', '2027-03-02'],
    ['2024-02-29', '2025-02-28'],
    ['2025-12-31', '2026-12-31'],
  ])('when consent is given on %s, then it is reviewed on %s', (given, review) => {
    expect(oneYearAfter(given)).toBe(review);
  });

  test.each([
    ['R', 'R'], ['Reception', 'R'], ['YR', 'R'], ['Year 1', 'Y1'], ['1', 'Y1'], ['y6', 'Y6'], ['NC Year 4', 'Y4'],
    ['N2', 'N2'], ['Nursery', 'N1'], ['Year 7', null], ['banana', null], ['', null],
  ])('when the year group is "%s", then it is stored as %s', (raw, expected) => {
    expect(normaliseYearGroup(raw)).toBe(expected);
  });
});

describe('MIS column names', () => {
  test('when headers come from SIMS or Arbor, then aliases map to the same fields, case-insensitively', () => {
    const sims = mapColumns(['UPN', 'Legal Surname', 'Legal Forename', 'Reg Group', 'NC Year', 'Contact 1 Email', 'Contact 1 Name', 'Gender']);
    expect(sims.pupil).toEqual({ upn: 0, lastName: 1, firstName: 2, className: 3, yearGroup: 4 });
    expect(sims.contacts).toEqual([{ n: 1, email: 5, name: 6 }]);
    expect(sims.ignored).toEqual(['Gender']);
    const arbor = mapColumns(['first name', 'LAST NAME', 'Year Group', 'Registration Group', 'Primary Contact Email', 'Parent 2 Email']);
    expect(arbor.pupil).toEqual({ firstName: 0, lastName: 1, yearGroup: 2, className: 3 });
    expect(arbor.contacts.map((c) => [c.n, c.email])).toEqual([[1, 4], [2, 5]]);
  });
});
