import request from 'supertest';
import { createTestWorld, signIn } from '../helpers/context';
import { addGuardian, addParent, addPhotoConsent, addPupil, createEvent } from './factory';


const DAY = 24 * 60 * 60 * 1000;

describe('events', () => {
  test('when participants are chosen by class, year group and pupil, then they are resolved at query time', async () => {
    const world = createTestWorld();
    const db = world.ctx.db;
    const organiser = await signIn(world, 'organiser');
    const oak = [addPupil(db, { className: 'Oak', yearGroup: 'Y3' }), addPupil(db, { className: 'Oak', yearGroup: 'Y3' })];
    const y5 = addPupil(db, { className: 'Elm', yearGroup: 'Y5' });
    const single = addPupil(db, { className: 'Ash', yearGroup: 'Y1' });
    addPupil(db, { className: 'Oak', yearGroup: 'Y3', status: 'left' });
    addPupil(db, { className: 'Ash', yearGroup: 'Y1' });

    const event = await createEvent(organiser, { participants: { classes: ['oak'], yearGroups: ['Y5'], pupilIds: [single] } });
    expect(event.participantCount).toBe(4);
    expect(event.participants).toEqual({ classes: ['oak'], yearGroups: ['Y5'], pupilIds: [single] });
    expect(event.organisers).toEqual([{ id: organiser.id, name: expect.any(String) }]);

    const joiner = addPupil(db, { className: 'Oak', yearGroup: 'Y3' });
    const again = await organiser.agent.get(`/api/events/${event.id}`).expect(200);
    expect(again.body.participantCount).toBe(5);
    expect([...world.ctx.events.participantIds(event.id)].sort()).toEqual([...oak, y5, single, joiner].sort());
    expect(() => world.ctx.events.participantIds(9999)).toThrow('No such event');
  });

  test('when another organiser opens, edits or lists an event, then it is forbidden, while the office can', async () => {
    const world = createTestWorld();
    const owner = await signIn(world, 'organiser');
    const other = await signIn(world, 'organiser');
    const admin = await signIn(world, 'admin');
    const event = await createEvent(owner, { name: 'Nativity play' });

    await other.agent.get(`/api/events/${event.id}`).expect(403);
    await other.agent.patch(`/api/events/${event.id}`).set('x-csrf-token', other.csrf).send({ place: 'Hall' }).expect(403);
    await other.agent.get(`/api/events/${event.id}/consent-gaps`).expect(403);
    await other.agent.get(`/events/${event.id}/announcement`).expect(403);
    expect((await other.agent.get('/api/events').expect(200)).body.events).toEqual([]);

    const edited = await admin.agent.patch(`/api/events/${event.id}`).set('x-csrf-token', admin.csrf)
      .send({ place: 'Main hall', organiserIds: [owner.id, other.id] }).expect(200);
    expect(edited.body.place).toBe('Main hall');
    expect((await admin.agent.get('/api/events').expect(200)).body.events.map((e: { id: number }) => e.id)).toEqual([event.id]);
    // Now a co-organiser, the other organiser may edit it too.
    await other.agent.patch(`/api/events/${event.id}`).set('x-csrf-token', other.csrf).send({ name: 'Nativity' }).expect(200);
  });

  test('when an organiser names a parent as co-organiser, then the event is refused', async () => {
    const world = createTestWorld();
    const organiser = await signIn(world, 'organiser');
    const parent = addParent(world, 'Pat Parent');
    const res = await organiser.agent.post('/api/events').set('x-csrf-token', organiser.csrf)
      .send({ name: 'Trip', startsAt: '2026-04-01T09:00:00+01:00', place: 'Zoo', organiserIds: [parent.id] }).expect(422);
    expect(res.body.error.code).toBe('invalid_organisers');
  });

  test('when a parent asks for the events list, then it is forbidden', async () => {
    const world = createTestWorld();
    const parent = await signIn(world, 'parent');
    await parent.agent.get('/api/events').expect(403);
    await parent.agent.post('/api/events').set('x-csrf-token', parent.csrf).send({}).expect(403);
    await request(world.app).get('/api/events').expect(401);
  });

  test('when some participants lack current photo consent, then staff see who and why', async () => {
    const world = createTestWorld(); // today is 2026-03-02
    const db = world.ctx.db;
    const organiser = await signIn(world, 'organiser');
    const current = addPupil(db, { className: 'Oak' });
    addPhotoConsent(db, current, 'granted', '2026-09-01');
    const lapsed = addPupil(db, { className: 'Oak' });
    addPhotoConsent(db, lapsed, 'granted', '2026-03-01');
    const withdrawn = addPupil(db, { className: 'Oak' });
    addPhotoConsent(db, withdrawn, 'granted', '2026-09-01');
    addPhotoConsent(db, withdrawn, 'refused', null);
    const neverAsked = addPupil(db, { className: 'Oak' });
    const lastDay = addPupil(db, { className: 'Oak' });
    addPhotoConsent(db, lastDay, 'granted', '2026-03-02');

    const event = await createEvent(organiser, { participants: { classes: ['Oak'] } });
    const res = await organiser.agent.get(`/api/events/${event.id}/consent-gaps`).expect(200);
    expect(res.body.participantCount).toBe(5);
    expect(res.body.lackingCount).toBe(3);
    const byId = Object.fromEntries(res.body.lacking.map((p: { id: number; consent: string }) => [p.id, p.consent]));
    expect(byId).toEqual({ [lapsed]: 'expired', [withdrawn]: 'refused', [neverAsked]: 'not_asked' });
  });

  test('when a parent opens an upload link, then they see the event until it expires', async () => {
    const world = createTestWorld();
    const organiser = await signIn(world, 'organiser');
    const parent = await signIn(world, 'parent');
    const event = await createEvent(organiser, { name: 'Sports day', place: 'Field' });
    const link = await organiser.agent.post(`/api/events/${event.id}/upload-link`).set('x-csrf-token', organiser.csrf)
      .send({ days: 3 }).expect(201);
    expect(link.body.url).toMatch(/^http:\/\/localhost:3000\/e\/[\w-]{40,}$/);
    const token = link.body.url.split('/').pop() as string;
    const stored = world.ctx.db.prepare('SELECT token_hash FROM event_links').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(token);

    const seen = await parent.agent.get(`/api/event-links/${token}`).expect(200);
    expect(seen.body).toEqual({ eventId: event.id, name: 'Sports day', startsAt: '2026-03-10T13:00:00.000Z', place: 'Field' });
    await request(world.app).get(`/api/event-links/${token}`).expect(401);
    await parent.agent.get('/api/event-links/not-a-real-token-but-long-enough').expect(404);
    await parent.agent.get('/api/event-links/x').expect(404);

    world.clock.advance(3 * DAY + 1000);
    const expired = await parent.agent.get(`/api/event-links/${token}`).expect(410);
    expect(expired.body.error.code).toBe('gone');
  });

  test('when an organiser prints the announcement, then it is a self-contained page with escaped values and a CSS file', async () => {
    const world = createTestWorld();
    const organiser = await signIn(world, 'organiser');
    const event = await createEvent(organiser, { name: '<b>Sports & Fun</b>', place: 'Field "A"' });
    const res = await organiser.agent.get(`/events/${event.id}/announcement`).expect(200).expect('Content-Type', /html/);
    expect(res.text).toContain('&lt;b&gt;Sports &amp; Fun&lt;/b&gt;');
    expect(res.text).toContain('Field &quot;A&quot;');
    expect(res.text).toContain('Tuesday, 10 March 2026 at 13:00');
    expect(res.text).toContain('ShareSafe checker');
    expect(res.text).not.toMatch(/<script|<style|style=/i);
    expect(res.text).toContain('<link rel="stylesheet" href="/static/announcement.css">');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    await request(world.app).get('/static/announcement.css').expect(200).expect('Content-Type', /text\/css/);
    const parent = await signIn(world, 'parent');
    await parent.agent.get(`/events/${event.id}/announcement`).expect(403);
  });

  test('when the office edits the photo guidance, then the public page shows it escaped, and only admins may edit', async () => {
    const world = createTestWorld();
    const admin = await signIn(world, 'admin');
    const organiser = await signIn(world, 'organiser');
    const initial = await organiser.agent.get('/api/settings/guidance').expect(200);
    expect(initial.body).toEqual({ guidance: expect.stringContaining('other children'), isDefault: true });
    await organiser.agent.put('/api/settings/guidance').set('x-csrf-token', organiser.csrf).send({ guidance: 'x' }).expect(403);

    await admin.agent.put('/api/settings/guidance').set('x-csrf-token', admin.csrf)
      .send({ guidance: 'Only your own child.\n\nNo <script>alert(1)</script> please.' }).expect(200);
    const page = await request(world.app).get('/guidance').expect(200);
    expect(page.text).toContain('<p>Only your own child.</p>');
    expect(page.text).toContain('No &lt;script&gt;alert(1)&lt;/script&gt; please.');
    expect(page.text).not.toContain('<script>');

    const reset = await admin.agent.put('/api/settings/guidance').set('x-csrf-token', admin.csrf).send({ guidance: null }).expect(200);
    expect(reset.body.isDefault).toBe(true);
  });

  test('when a pupil is linked to a parent, then the parent can still not read staff-only participant data', async () => {
    const world = createTestWorld();
    const organiser = await signIn(world, 'organiser');
    const parent = await signIn(world, 'parent');
    const child = addPupil(world.ctx.db, { className: 'Oak' });
    addGuardian(world.ctx.db, parent.id, child);
    const event = await createEvent(organiser, { participants: { classes: ['Oak'] } });
    await parent.agent.get(`/api/events/${event.id}/participants`).expect(403);
    await parent.agent.get(`/api/events/${event.id}/consent-gaps`).expect(403);
    const list = await organiser.agent.get(`/api/events/${event.id}/participants`).expect(200);
    expect(list.body.participants).toEqual([expect.objectContaining({ id: child, className: 'Oak' })]);
  });
});
