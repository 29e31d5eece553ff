import {
  biometricConsentHolds, oneYearAfter, photoConsentIsCurrent, photoConsentState, type PhotoConsentRecord, type PupilStatus,
} from '../../src/features/register/consent-rules';
import { normaliseYearGroup } from '../../src/features/register/register.schemas';
import { mapColumns } from '../../src/features/register/csv-columns';

const grant = (reviewOn: string | null): PhotoConsentRecord => ({ status: 'granted', givenOn: '2025-09-01', reviewOn });

describe('photoConsentIsCurrent', () => {
  const today = '2026-03-02';
  test.each<[string, PhotoConsentRecord | undefined, PupilStatus, boolean]>([
    ['no record at all', undefined, 'on_roll', false],
    ['a grant reviewed in the future', grant('2026-09-01'), 'on_roll', true],
    ['a grant whose review date is today', grant('2026-03-02'), 'on_roll', true],
    ['a grant whose review date was yesterday', grant('2026-03-01'), 'on_roll', false],
    ['a grant without a review date', grant(null), 'on_roll', false],
    ['a grant for a pupil who has left', grant('2026-09-01'), 'left', false],
    ['a refusal', { status: 'refused', givenOn: '2025-09-01', reviewOn: '2026-09-01' }, 'on_roll', false],
    ['not asked', { status: 'not_asked', givenOn: '2025-09-01', reviewOn: null }, 'on_roll', false],
  ])('when the latest record is %s, then current is %s', (_name, latest, status, expected) => {
    expect(photoConsentIsCurrent(latest, today, status)).toBe(expected);
  });

  test.each<[PhotoConsentRecord | undefined, string]>([
    [undefined, 'not_asked'],
    [grant('2026-03-02'), 'granted'],
    [grant('2026-03-01'), 'expired'],
    [{ status: 'refused', givenOn: '2025-09-01', reviewOn: null }, 'refused'],
  ])('when the latest record is %j, then the register shows %s', (latest, state) => {
    expect(photoConsentState(latest, '2026-03-02')).toBe(state);
  });
});

describe('biometricConsentHolds', () => {
  test.each([
    [true, false, false, true],
    [false, false, false, false],
    [true, true, false, false],
    [true, false, true, false],
    [true, true, true, false],
    [false, false, true, false],
  ])('when parentConsent=%s, parentObjection=%s, childObjection=%s, then it holds: %s', (parentConsent, parentObjection, childObjection, expected) => {
    expect(biometricConsentHolds({ parentConsent, parentObjection, childObjection })).toBe(expected);
  });

  test('when there is no record, then it does not hold', () => {
    expect(biometricConsentHolds(undefined)).toBe(false);
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
