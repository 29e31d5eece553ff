import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { biometric, createPupil, insertFakeReference, post, referenceCount } from '../register/factories';

// The school office's pages through the front door: forms post with the session's CSRF token,
// changes redirect with a flash, refusals re-render the form with its messages and values.

let world: TestWorld;
let office: SignedIn;

beforeEach(async () => {
  world = createTestWorld();
  office = await signIn(world, 'admin', { name: 'Office Admin' });
});

/** A browser-like form post: urlencoded body with the hidden _csrf field. */
const submit = (user: SignedIn, url: string, fields: Record<string, string>, csrf = user.csrf) =>
  user.agent.post(url).set('Accept', 'text/html').type('form').send({ ...fields, _csrf: csrf });

const page = (user: SignedIn, url: string) => user.agent.get(url).set('Accept', 'text/html');

/** Follows a Post/Redirect/Get and returns the page it lands on (with its flash). */
async function follow(res: { status: number; headers: Record<string, string> }, user: SignedIn) {
  expect(res.status).toBe(303);
  return page(user, res.headers.location!).expect(200);
}

describe('office pages: access', () => {
  test('when signed out, then the office redirects to sign-in', async () => {
    const res = await (await import('supertest')).default(world.app).get('/office').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=%2Foffice/);
  });

  test('when a parent opens an office page, then they get 403', async () => {
    const parent = await signIn(world, 'parent');
    await page(parent, '/office').expect(403);
    await page(parent, '/office/pupils').expect(403);
    await submit(parent, '/office/pupils', { firstName: 'X', lastName: 'Y', className: '1A', yearGroup: 'Y1' }).expect(403);
  });

  test('when a form is posted without the CSRF token, then it is refused and nothing changes', async () => {
    const res = await office.agent.post('/office/pupils').set('Accept', 'text/html').type('form')
      .send({ firstName: 'Amy', lastName: 'Adams', className: '3B', yearGroup: 'Y3' });
    expect(res.status).toBe(403);
    await submit(office, '/office/pupils', { firstName: 'Amy', lastName: 'Adams', className: '3B', yearGroup: 'Y3' }, 'wrong-token').expect(403);
    expect(world.ctx.register.registerRows()).toHaveLength(0);
  });

  test('when an organiser opens the register pages, then they are the office\'s (403), and a forged post gets 403', async () => {
    const pupil = await createPupil(office);
    const organiser = await signIn(world, 'organiser');
    // Organisers see their events' pupils on the event pages (tests/events/least-privilege.test.ts).
    await page(organiser, `/office/pupils/${pupil.id}`).expect(403);
    await page(organiser, '/office/pupils').expect(403);
    await submit(organiser, `/office/pupils/${pupil.id}/consents/new`, { name: 'Forged', photo: 'consents', biometric: 'withdrawn' }).expect(403);
    await submit(organiser, `/office/pupils/${pupil.id}/leave`, {}).expect(403);
    await page(organiser, '/office/audit').expect(403);
    expect(world.ctx.register.pupilDetail(pupil.id).positions).toHaveLength(0);
  });
});

describe('office pages: pupils', () => {
  test('when the office adds a pupil, then it lands on the pupil page with a flash', async () => {
    const res = await submit(office, '/office/pupils', { firstName: 'Amy', lastName: 'Adams', className: '3B', yearGroup: 'Y3', upn: '' });
    const landed = await follow(res, office);
    expect(landed.text).toContain('Amy Adams was added');
    expect(landed.text).toContain('<h1>Amy Adams</h1>');
    // The flash is shown once.
    expect((await page(office, res.headers.location!)).text).not.toContain('was added');
  });

  test('when the add form has problems, then it comes back with inline messages and the entered values', async () => {
    const res = await submit(office, '/office/pupils', { firstName: 'Amy', lastName: '', className: '3B', yearGroup: 'Year 9', upn: 'bad' }).expect(400);
    expect(res.text).toContain('Enter the surname.');
    expect(res.text).toMatch(/Unknown year group/);
    expect(res.text).toContain('A UPN is a letter and 12 more characters.');
    expect(res.text).toContain('value="Amy"');
    expect(res.text).toContain('value="bad"');
    expect(world.ctx.register.registerRows()).toHaveLength(0);
  });

  test('when the list is filtered, then only matching pupils show, with badges', async () => {
    const amy = await createPupil(office, { firstName: 'Amy', className: '3B', yearGroup: 'Y3' });
    await createPupil(office, { firstName: 'Ben', className: '4C', yearGroup: 'Y4' });
    await post(office, `/api/pupils/${amy.id}/photo-consent`, { status: 'refused', givenBy: 'Mother' }).expect(201);
    const all = await page(office, '/office/pupils').expect(200);
    expect(all.text).toContain('2 pupils');
    const refused = await page(office, '/office/pupils?photoConsent=refused&class=&yearGroup=').expect(200);
    expect(refused.text).toContain('1 pupil match');
    expect(refused.text).toContain('Lovelace, Amy');
    expect(refused.text).not.toContain('Lovelace, Ben');
    expect(refused.text).toContain('badge badge-bad');
  });

  test('when paper forms are recorded per person, then each form starts from that person’s answers and a later yes keeps the earlier no', async () => {
    const pupil = await createPupil(office);
    const parent = await signIn(world, 'parent', { name: 'Pat Parent' });
    await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
    await follow(await submit(office, `/office/pupils/${pupil.id}/consents/new`,
      { name: 'Fay Father', relationship: 'father', photo: 'objects', biometric: 'objects', source: 'paper', givenOn: '2026-02-01', shown: 'Consent form 2025/26', note: 'Safeguarding' }), office);
    const landed = await follow(await submit(office, `/office/pupils/${pupil.id}/consents/account-${parent.id}`,
      { photo: 'consents', biometric: 'consents', source: 'paper', givenOn: '2026-03-01', reviewOn: '2027-03-01' }), office);
    expect(landed.text).toContain('Saved. Photo sharing: not allowed; face recognition: no consent.');
    expect(landed.text).toMatch(/<tr data-person="person-\d+"><th scope="row">Fay Father \(father\), named on a form<\/th>\s*<td><strong>Objects<\/strong>/);
    // Pat's form opens on Pat's answers, the child's on "no objection": never blank.
    expect(landed.text).toMatch(new RegExp(`id="pos-account-${parent.id}-photo-consents" name="photo" value="consents" checked`));
    expect(landed.text).toMatch(/id="pos-child-photo-withdrawn" name="photo" value="withdrawn" checked/);
    expect(world.ctx.register.consentState(pupil.id).photo.current).toBe(false);

    const same = await submit(office, `/office/pupils/${pupil.id}/consents/account-${parent.id}`, { photo: 'consents', biometric: 'consents', source: 'paper' }).expect(400);
    expect(same.text).toContain('Nothing changed');
    const bad = await submit(office, `/office/pupils/${pupil.id}/consents/new`,
      { name: 'Gran', photo: 'consents', biometric: 'withdrawn', givenOn: '2026-03-01', reviewOn: '2026-01-01' }).expect(400);
    expect(bad.text).toContain('The review date cannot be before the date consent was given.');
    expect(bad.text).toContain('value="Gran"');
    await submit(office, `/office/pupils/${pupil.id}/consents/account-999`, { photo: 'objects', biometric: 'withdrawn' }).expect(404);
    const positions = world.ctx.register.pupilDetail(pupil.id).positions;
    expect(positions).toHaveLength(4);
    expect(positions.filter((p) => p.shown === 'Consent form 2025/26').map((p) => [p.consent, p.position, p.givenOn])).toEqual([['biometric', 'objects', '2026-02-01'], ['photo', 'objects', '2026-02-01']]);
  });

  test('when the child’s refusal is recorded, then the flash says how many reference photos were deleted', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
    insertFakeReference(world, pupil.id);
    insertFakeReference(world, pupil.id);
    const landed = await follow(await submit(office, `/office/pupils/${pupil.id}/consents/child`, { photo: 'withdrawn', biometric: 'objects', note: 'Told the teacher' }), office);
    expect(landed.text).toContain('2 reference photos deleted');
    expect(referenceCount(world, pupil.id)).toBe(0);
  });

  test('when a pupil is marked as left, then the confirmation says the reference photos will be deleted first', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
    insertFakeReference(world, pupil.id);
    const confirm = await page(office, `/office/pupils/${pupil.id}/leave`).expect(200);
    expect(confirm.text).toContain('Their reference photo will be deleted at once.');
    expect(referenceCount(world, pupil.id)).toBe(1);
    const landed = await follow(await submit(office, `/office/pupils/${pupil.id}/leave`, {}), office);
    expect(landed.text).toContain('is marked as left. 1 reference photo deleted.');
    expect(referenceCount(world, pupil.id)).toBe(0);
  });

  test('when a reference photo is uploaded without biometric consent, then the page says why and nothing is read', async () => {
    const pupil = await createPupil(office);
    const res = await office.agent.post(`/office/pupils/${pupil.id}/references`)
      .set('Accept', 'text/html').field('_csrf', office.csrf).attach('photo', Buffer.from('not really a photo'), 'x.jpg');
    expect(res.status).toBe(409);
    expect(res.text).toContain('Photo not accepted. Nothing was stored.');
    expect(res.text).toContain('Reference photos need biometric consent');
  });

  test('when parents are linked and invited from the pupil page, then they are listed with a pending invitation', async () => {
    const pupil = await createPupil(office);
    const parent = await signIn(world, 'parent', { name: 'Pat Parent' });
    const unknown = await submit(office, `/office/pupils/${pupil.id}/guardians/link`, { email: 'nobody@example.test' }).expect(400);
    expect(unknown.text).toContain('No account has this email address');
    await follow(await submit(office, `/office/pupils/${pupil.id}/guardians/link`, { email: parent.email, relationship: 'father' }), office);
    const invited = await follow(await submit(office, `/office/pupils/${pupil.id}/guardians/invite`, { name: 'Mo Mum', email: 'mo@example.test', relationship: 'mother' }), office);
    expect(invited.text).toContain('Invitation sent to mo@example.test');
    expect(invited.text).toContain('Pat Parent');
    expect(invited.text).toMatch(/Mo Mum<\/a>[\s\S]*Invitation pending/);
    const mo = world.ctx.accounts.repo.userByEmail('mo@example.test')!.user;
    await follow(await submit(office, `/office/pupils/${pupil.id}/guardians/${mo.id}/remove`, {}), office);
    expect(world.ctx.register.pupilDetail(pupil.id).guardians.map((g) => g.name)).toEqual(['Pat Parent']);
  });
});

describe('office pages: import, parents, audit', () => {
  const header = 'UPN,Legal Forename,Legal Surname,Year,Reg Group,Contact 1 Email,Contact 1 Name,Contact 1 Has Parental Responsibility\n';

  test('when the CSV has a row error, then the preview lists it, offers no import, and nothing is stored', async () => {
    const csv = `${header}A123456789012,Amy,Adams,3,3B,amy.mum@example.test,Ann Adams,Yes\n,Ben,Brown,Year 9,4C,,,\n`;
    const res = await office.agent.post('/office/import/preview').set('Accept', 'text/html')
      .field('_csrf', office.csrf).attach('file', Buffer.from(csv), 'pupils.csv').expect(422);
    expect(res.text).toContain('Nothing was imported.');
    expect(res.text).toMatch(/<td>3<\/td><td>Year<\/td><td>Unknown year group/);
    expect(res.text).not.toContain('Import now');
    expect(world.ctx.register.registerRows()).toHaveLength(0);
  });

  test('when a valid CSV is previewed and confirmed, then it imports without a second upload', async () => {
    const csv = `${header}A123456789012,Amy,Adams,3,3B,amy.mum@example.test,Ann Adams,Yes\n,Ben,Brown,Y4,4C,,,\n`;
    const preview = await office.agent.post('/office/import/preview').set('Accept', 'text/html')
      .field('_csrf', office.csrf).attach('file', Buffer.from(csv), 'pupils.csv').expect(200);
    expect(preview.text).toContain('Import now');
    expect(preview.text).toMatch(/<span class="office-tile-count">2<\/span> <span class="office-tile-label">pupils to add/);
    expect(world.ctx.register.registerRows()).toHaveLength(0);
    const draftId = /name="draftId" value="([^"]+)"/.exec(preview.text)![1]!;

    const organiser = await signIn(world, 'organiser');
    await submit(organiser, '/office/import/commit', { draftId }).expect(403);

    const landed = await follow(await submit(office, '/office/import/commit', { draftId }), office);
    expect(landed.text).toContain('Imported pupils.csv: 2 pupils added, 0 updated, 0 unchanged; 1 parent account created, 1 parent link added.');
    expect(landed.text).toContain('1 parent not invited yet');
    expect(world.ctx.register.registerRows().map((r) => r.pupil.firstName).sort()).toEqual(['Amy', 'Ben']);
    // The draft is used up: a second click cannot import twice.
    expect((await submit(office, '/office/import/commit', { draftId }).expect(410)).text).toContain('This preview has expired');
  });

  test('when the office invites a parent for a pupil, then the parent page shows the link and can resend', async () => {
    const pupil = await createPupil(office, { firstName: 'Cal' });
    const landed = await follow(await submit(office, '/office/parents/invite', { name: 'Dee Dad', email: 'dee@example.test', pupilId: String(pupil.id) }), office);
    expect(landed.text).toContain('Invitation sent to dee@example.test.');
    expect(landed.text).toContain('Cal Lovelace');
    expect(landed.text).toContain('Invitation pending');
    const dee = world.ctx.accounts.repo.userByEmail('dee@example.test')!.user;
    const resent = await follow(await submit(office, `/office/parents/${dee.id}/invitation`, {}), office);
    expect(resent.text).toContain('A new invitation was sent');
    const list = await page(office, '/office/parents?q=dee').expect(200);
    expect(list.text).toContain('1 parent.');
    const dup = await submit(office, '/office/parents/invite', { name: 'Dee Again', email: 'dee@example.test', pupilId: '' }).expect(400);
    expect(dup.text).toContain('An account with that email already exists.');
  });

  test('when the audit trail is longer than a page, then "Older entries" pages back with the filters kept', async () => {
    for (let i = 0; i < 55; i += 1) world.ctx.audit.record('pupil.updated', { actorId: office.id, subjectType: 'pupil', subjectId: 999 });
    const first = await page(office, '/office/audit?action=pupil.updated&subjectType=pupil').expect(200);
    expect(first.text.match(/changed the details of pupil no\. 999\./g)!.length).toBe(50);
    const older = /href="(\/office\/audit\?[^"]*beforeId=\d+)"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    expect(older).toContain('action=pupil.updated');
    const second = await page(office, older).expect(200);
    expect(second.text.match(/changed the details of pupil no\. 999\./g)).toHaveLength(5);
    expect(second.text).not.toContain('Older entries');
    await page(office, '/office/audit?from=yesterday').expect(400);
  });

  test('when the dashboard loads, then each count links to the filtered list', async () => {
    const pupil = await createPupil(office);
    await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
    const res = await page(office, '/office').expect(200);
    expect(res.text).toMatch(/href="\/office\/pupils\?biometric=holds&amp;enrolled=no"><span class="office-tile-count">1<\/span>/);
    expect(res.text).toMatch(/href="\/office\/pupils\?photoConsent=not_asked"><span class="office-tile-count">1<\/span>/);
    expect(res.text).toMatch(/recorded a consent answer for <a href="\/office\/pupils\/\d+">Ada Lovelace<\/a>\./);
    const listed = await page(office, '/office/pupils?biometric=holds&enrolled=no').expect(200);
    expect(listed.text).toContain('1 pupil match');
  });
});
