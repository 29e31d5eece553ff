import QRCode from 'qrcode';
import { createFaceEngine } from '../../src/features/faces';
import type { FaceEngine } from '../../src/features/faces/types';
import { formatDate, formatDateTime } from '../../src/web/html';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { cropFace, sample } from '../helpers/photos';
import { addPupil, enrol, giveBiometricConsent } from '../helpers/register';
import { createEvent } from '../events/factory';

// The office pages' rough edges (#13 items 6-8), through the front door: confirmations before
// mailing many people or deleting biometric data, duplicate pupils and past dates asked about,
// UK dates, plain error pages, the announcement's QR code.

jest.setTimeout(120_000);

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld(); // clock: 2026-03-02T09:00:00Z
  office = await signIn(world, 'admin');
});

const submit = (user: SignedIn, url: string, fields: Record<string, string | string[]>) =>
  user.agent.post(url).set('Accept', 'text/html').type('form').send({ ...fields, _csrf: user.csrf });
const page = (user: SignedIn, url: string) => user.agent.get(url).set('Accept', 'text/html');

test.each([
  ['2026-12-02', '2 December 2026'],
  ['2026-03-02T09:00:00Z', '2 March 2026'],
  ['2026-06-30T23:30:00Z', '1 July 2026'], // London is an hour ahead in summer
  [null, ''],
])('when a date %p is shown, then it reads as people in the UK write it: %p', (iso, words) => {
  expect(formatDate(iso)).toBe(words);
});

test('when a date and time is shown, then it reads "2 December 2026, 14:05"', () => {
  expect(formatDateTime('2026-12-02T14:05:00Z')).toBe('2 December 2026, 14:05');
});

test('when the office adds a pupil with the same name and class as one on roll, then it is asked first, and can add them anyway', async () => {
  await submit(office, '/office/pupils', { firstName: 'Amy', lastName: 'Adams', className: '3B', yearGroup: 'Y3' }).expect(303);
  const again = await submit(office, '/office/pupils', { firstName: 'amy', lastName: 'ADAMS', className: '3B', yearGroup: 'Y3' }).expect(409);
  expect(again.text).toContain('There is already a pupil called');
  expect(again.text).toContain('value="amy"'); // what was typed is kept
  expect(world.ctx.register.listPupils({ status: 'all' })).toHaveLength(1);
  // Another class is another child; and the office may confirm a real namesake.
  await submit(office, '/office/pupils', { firstName: 'Amy', lastName: 'Adams', className: '4C', yearGroup: 'Y4' }).expect(303);
  await submit(office, '/office/pupils', { firstName: 'Amy', lastName: 'Adams', className: '3B', yearGroup: 'Y3', addAnyway: 'yes' }).expect(303);
  expect(world.ctx.register.listPupils({ status: 'all' })).toHaveLength(3);
});

test('when the office creates an event dated in the past, then it is asked to check the date first', async () => {
  const fields = { name: 'Sports day', startsAt: '2025-06-20T14:00', place: 'Field' };
  const warned = await submit(office, '/office/events', fields).expect(409);
  expect(warned.text).toContain('This date is in the past: 20 June 2025, 14:00.');
  expect(world.ctx.events.list((world.ctx.accounts.repo.userById(office.id))!)).toHaveLength(0);
  await submit(office, '/office/events', { ...fields, pastOk: 'yes' }).expect(303);
  await submit(office, '/office/events', { ...fields, startsAt: '2026-06-20T14:00' }).expect(303);
});

test('when an error page is shown, then it speaks plain words without codes', async () => {
  const res = await page(office, '/office/pupils/999999').expect(404);
  expect(res.text).toContain('Page not found');
  expect(res.text).not.toMatch(/Error 404|not_found|Reference:/);
});

test('when the announcement is printed from a new upload link, then it carries that link as a QR code (SVG made on the server); an unknown link falls back to sign-in', async () => {
  const organiser = await signIn(world, 'organiser');
  const ev = await createEvent(organiser, {});
  const linkPage = await submit(organiser, `/office/events/${ev.id}/upload-link`, { days: '7' }).expect(200);
  const print = /href="(\/events\/\d+\/announcement\?link=[A-Za-z0-9_-]+)"/.exec(linkPage.text)![1]!;
  const url = /value="(http[^"]+\/e\/[A-Za-z0-9_-]+)"/.exec(linkPage.text)![1]!;
  const sheet = (await page(organiser, print).expect(200)).text;
  expect(sheet).toContain(await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }));
  expect(sheet).toContain(`<strong>${url}</strong>`);
  const plain = (await page(organiser, `/events/${ev.id}/announcement?link=${'x'.repeat(30)}`).expect(200)).text;
  expect(plain).toContain(`<strong>${world.config.publicUrl}/check</strong>`);
  expect(plain).toMatch(/<svg[^>]*viewBox/);
});

test('when the office sends the guidance, then it confirms first; when it removes a reference photo, then it confirms first and the refusal of a bad photo shows in the form', async () => {
  const engine: FaceEngine = await createFaceEngine({ workers: 1 });
  try {
    world = createTestWorld({ engine });
    office = await signIn(world, 'admin');
    const amy = await addPupil(office, 'Amy');
    await giveBiometricConsent(office, amy);
    const face = (await engine.analyse(sample(5))).faces.sort((a, b) => b.score - a.score)[0]!;
    const ref = (await enrol(office, amy, await cropFace(sample(5), face.box))).body;
    const refId = (ref.reference?.id ?? ref.id) as number;
    const ask = await submit(office, `/office/pupils/${amy}/references/${refId}/remove`, {}).expect(200);
    expect(ask.text).toContain('Remove this reference photo?');
    expect(world.ctx.register.pupilDetail(amy).references).toHaveLength(1);
    await submit(office, `/office/pupils/${amy}/references/${refId}/remove`, { confirm: 'yes' }).expect(303);
    expect(world.ctx.register.pupilDetail(amy).references).toHaveLength(0);

    // A photo with several faces is refused: the message sits inside the form, by the file box.
    const refused = await office.agent.post(`/office/pupils/${amy}/references`).set('Accept', 'text/html')
      .field('_csrf', office.csrf).attach('photo', sample(5), { filename: 'group.jpg', contentType: 'image/jpeg' }).expect(422);
    const form = refused.text.slice(refused.text.indexOf('<form class="office-form office-upload"'));
    expect(form.indexOf('id="reference-rejected"')).toBeGreaterThan(0);
    expect(form.indexOf('id="reference-rejected"')).toBeLessThan(form.indexOf('id="reference-photo"'));
    expect(refused.text.match(/id="reference-rejected"/g)).toHaveLength(1);
    expect(form).toMatch(/id="reference-photo"[^>]*autofocus/);
  } finally {
    await engine.close();
  }
});
