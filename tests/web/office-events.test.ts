import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { addPhotoConsent, addPupil, createEvent } from '../events/factory';
import { isoToLondonLocal, londonLocalToIso } from '../../src/web/office/events-forms';

// The organisers' event pages through the front door: forms post with the session's CSRF token,
// access is the events service's (organisers only their own events), refusals re-render.

let world: TestWorld;
let office: SignedIn;
let organiser: SignedIn;

beforeEach(async () => {
  world = createTestWorld(); // clock: 2026-03-02T09:00:00Z
  office = await signIn(world, 'admin', { name: 'Office Admin' });
  organiser = await signIn(world, 'organiser', { name: 'Olive Organiser' });
});

const submit = (user: SignedIn, url: string, fields: Record<string, string | string[]>, csrf = user.csrf) =>
  user.agent.post(url).set('Accept', 'text/html').type('form').send({ ...fields, _csrf: csrf });
const page = (user: SignedIn, url: string) => user.agent.get(url).set('Accept', 'text/html');

async function follow(res: { status: number; headers: Record<string, string> }, user: SignedIn) {
  expect(res.status).toBe(303);
  return page(user, res.headers.location!).expect(200);
}

describe('London wall-clock time', () => {
  test.each([
    ['2026-01-20T14:00', '2026-01-20T14:00:00.000Z'],
    ['2026-06-20T14:00', '2026-06-20T13:00:00.000Z'],
    ['2026-03-29T00:30', '2026-03-29T00:30:00.000Z'],
    ['2026-03-29T02:30', '2026-03-29T01:30:00.000Z'],
  ])('when the office types %s, then the event starts at %s', (local, iso) => {
    expect(londonLocalToIso(local)).toBe(iso);
  });

  test('when an instant is shown in the edit form, then it is London time', () => {
    expect(isoToLondonLocal('2026-06-20T13:00:00.000Z')).toBe('2026-06-20T14:00');
    expect(isoToLondonLocal('2026-01-20T14:00:00.000Z')).toBe('2026-01-20T14:00');
  });
});

describe('office events: access', () => {
  test('when a parent opens or posts to the event pages, then they get 403', async () => {
    const parent = await signIn(world, 'parent');
    const ev = await createEvent(office, {});
    await page(parent, '/office/events').expect(403);
    await page(parent, `/office/events/${ev.id}`).expect(403);
    await submit(parent, '/office/events', { name: 'X', startsAt: '2026-06-20T14:00', place: 'Hall' }).expect(403);
    expect(world.ctx.events.list({ ...world.ctx.accounts.repo.userById(office.id)! })).toHaveLength(1);
  });

  test('when an organiser opens or posts to another organiser’s event, then the service refuses (403) and nothing changes', async () => {
    const other = await signIn(world, 'organiser');
    const ev = await createEvent(other, { name: 'Their trip' });
    await page(organiser, `/office/events/${ev.id}`).expect(403);
    await page(organiser, `/office/events/${ev.id}/edit`).expect(403);
    await submit(organiser, `/office/events/${ev.id}`, { name: 'Hijacked', startsAt: '2026-06-20T14:00', place: 'Hall' }).expect(403);
    await submit(organiser, `/office/events/${ev.id}`, { name: '', startsAt: 'bad', place: '' }).expect(403);
    await submit(organiser, `/office/events/${ev.id}/reminders`, { days: '2' }).expect(403);
    await submit(organiser, `/office/events/${ev.id}/upload-link`, { days: '7' }).expect(403);
    const list = await page(organiser, '/office/events').expect(200);
    expect(list.text).not.toContain('Their trip');
    await page(organiser, '/office/events/9999').expect(404);
    expect(world.ctx.db.prepare('SELECT name FROM events WHERE id = ?').get(ev.id)).toEqual({ name: 'Their trip' });
    expect(world.ctx.db.prepare('SELECT COUNT(*) AS n FROM event_reminders').get()).toEqual({ n: 0 });
  });

  test('when a form is posted without the CSRF token, then it is refused and nothing is created', async () => {
    const res = await organiser.agent.post('/office/events').set('Accept', 'text/html').type('form')
      .send({ name: 'Sports day', startsAt: '2026-06-20T14:00', place: 'Field' });
    expect(res.status).toBe(403);
    await submit(organiser, '/office/events', { name: 'Sports day', startsAt: '2026-06-20T14:00', place: 'Field' }, 'wrong').expect(403);
    expect(world.ctx.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 0 });
  });

  test('when staff open the office, then the nav links to Events', async () => {
    const res = await page(organiser, '/office').expect(200);
    expect(res.text).toContain('<a href="/office/events">Events</a>');
  });
});

describe('office events: create, edit, list', () => {
  test('when an organiser creates an event for a class, then it is theirs, in London time, with the consent gap shown', async () => {
    const amy = addPupil(world.ctx.db, { firstName: 'Amy', lastName: 'Adams', className: '3B' });
    const ben = addPupil(world.ctx.db, { firstName: 'Ben', lastName: 'Brown', className: '3B' });
    addPupil(world.ctx.db, { firstName: 'Cal', lastName: 'Cole', className: '4C' });
    addPhotoConsent(world.ctx.db, amy, 'granted', '2027-01-01');
    addPhotoConsent(world.ctx.db, ben, 'refused', null);

    const form = await page(organiser, '/office/events/new').expect(200);
    expect(form.text).toContain('value="3B"');
    expect(form.text).toContain('type="datetime-local"');

    const res = await submit(organiser, '/office/events', { name: 'Class 3B play', startsAt: '2026-06-20T14:00', place: 'Hall', classes: '3B' });
    const landed = await follow(res, organiser);
    expect(landed.text).toContain('Class 3B play was created with 2 pupils taking part.');
    expect(landed.text).toContain('Brown, Ben');
    expect(landed.text).not.toContain('Adams, Amy');
    expect(landed.text).toContain('1 without consent');
    expect(landed.text).toContain('href="/events/');

    const [ev] = world.ctx.events.list(world.ctx.accounts.repo.userById(organiser.id)!);
    expect(ev!.startsAt).toBe('2026-06-20T13:00:00.000Z');
    expect(world.ctx.events.get(world.ctx.accounts.repo.userById(office.id)!, ev!.id).organisers.map((o) => o.id)).toEqual([organiser.id]);

    const list = await page(organiser, '/office/events').expect(200);
    expect(list.text).toContain('Class 3B play');
    expect(list.text).toContain('2 pupils');
    expect(list.text).toContain('1 without consent');
  });

  test('when the event form has problems, then it comes back with inline messages and the entered values', async () => {
    addPupil(world.ctx.db, { className: '3B' });
    const res = await submit(organiser, '/office/events', { name: 'Trip', startsAt: 'tomorrow', place: '', classes: '3B', yearGroups: ['Y3', 'Y4'] }).expect(400);
    expect(res.text).toContain('Enter the date and time, for example 20/06/2026 14:00.');
    expect(res.text).toContain('Enter where it takes place');
    expect(res.text).toContain('value="Trip"');
    expect(res.text).toMatch(/name="classes" value="3B" checked/);
    expect(res.text).toMatch(/name="yearGroups" value="Y4" checked/);
    expect(world.ctx.db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 0 });
  });

  test('when an organiser edits their event, then it moves and they stay organiser; admins choose organisers', async () => {
    const ev = await createEvent(organiser, {});
    const edit = await page(organiser, `/office/events/${ev.id}/edit`).expect(200);
    expect(edit.text).toContain('value="2026-03-10T13:00"');
    expect(edit.text).not.toContain('name="organiserIds"');
    await follow(await submit(organiser, `/office/events/${ev.id}`, { name: 'Sports day (moved)', startsAt: '2026-07-01T10:00', place: 'Field' }), organiser);
    const admin = world.ctx.accounts.repo.userById(office.id)!;
    let d = world.ctx.events.get(admin, ev.id);
    expect(d.event).toMatchObject({ name: 'Sports day (moved)', startsAt: '2026-07-01T09:00:00.000Z' });
    expect(d.organisers.map((o) => o.id)).toEqual([organiser.id]);

    const adminEdit = await page(office, `/office/events/${ev.id}/edit`).expect(200);
    expect(adminEdit.text).toMatch(new RegExp(`name="organiserIds" value="${organiser.id}" checked`));
    await follow(await submit(office, `/office/events/${ev.id}`,
      { name: 'Sports day', startsAt: '2026-07-01T10:00', place: 'Field', organiserIds: [String(organiser.id), String(office.id)] }), office);
    d = world.ctx.events.get(admin, ev.id);
    expect(d.organisers.map((o) => o.id).sort()).toEqual([organiser.id, office.id].sort());
  });
});

describe('office events: reminders and links', () => {
  test('when an organiser schedules a reminder, then it is listed; cancelling it marks it cancelled', async () => {
    const ev = await createEvent(organiser, {});
    const landed = await follow(await submit(organiser, `/office/events/${ev.id}/reminders`, { days: '2', hours: '' }), organiser);
    expect(landed.text).toContain('Reminder scheduled for 8 March 2026, 13:00.');
    expect(landed.text).toContain('2 days before');
    expect(landed.text).toContain('Scheduled');
    expect(landed.text).not.toContain('Send guidance now');
    const [reminder] = world.ctx.events.reminders.list(world.ctx.accounts.repo.userById(organiser.id)!, ev.id);
    const cancelled = await follow(await submit(organiser, `/office/events/${ev.id}/reminders/${reminder!.reminder.id}/cancel`, {}), organiser);
    expect(cancelled.text).toContain('The reminder was cancelled.');
    expect(world.ctx.db.prepare('SELECT status FROM event_reminders').get()).toEqual({ status: 'cancelled' });
  });

  test('when the reminder form has problems, then the event page comes back with the message', async () => {
    const ev = await createEvent(organiser, {});
    const res = await submit(organiser, `/office/events/${ev.id}/reminders`, { days: 'two', hours: '' }).expect(400);
    expect(res.text).toContain('Enter a whole number of days.');
    expect(res.text).toContain('value="two"');
    const zero = await submit(organiser, `/office/events/${ev.id}/reminders`, { days: '0', hours: '0' }).expect(400);
    expect(zero.text).toContain('Choose how long before the event the reminder goes out.');
  });

  test('when an upload link is created, then it is shown once in a read-only box', async () => {
    const ev = await createEvent(organiser, {});
    const res = await submit(organiser, `/office/events/${ev.id}/upload-link`, { days: '7' }).expect(200);
    expect(res.text).toMatch(/<input id="new-link" class="office-copy" type="text" readonly value="http[^"]+\/e\/[A-Za-z0-9_-]{20,}">/);
    expect((await page(organiser, `/office/events/${ev.id}`)).text).not.toContain('id="new-link"');
    const bad = await submit(organiser, `/office/events/${ev.id}/upload-link`, { days: '500' }).expect(400);
    expect(bad.text).toContain('Enter a number of days from 1 to 90.');
  });

  test('when the office sends the guidance now, then it is asked to confirm first and an on-demand reminder is listed; organisers may not', async () => {
    const ev = await createEvent(organiser, {});
    await submit(organiser, `/office/events/${ev.id}/guidance/send`, {}).expect(403);
    const ask = await submit(office, `/office/events/${ev.id}/guidance/send`, {}).expect(200);
    expect(ask.text).toContain('Send the guidance now?');
    expect(ask.text).toContain('name="confirm" value="yes"');
    expect((await page(office, `/office/events/${ev.id}`)).text).not.toContain('Sent on demand');
    const landed = await follow(await submit(office, `/office/events/${ev.id}/guidance/send`, { confirm: 'yes' }), office);
    expect(landed.text).toContain('The guidance is being sent to the parents now.');
    expect(landed.text).toContain('Sent on demand');
  });
});
