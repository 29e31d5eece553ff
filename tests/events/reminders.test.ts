import { createTestWorld, signIn, type TestWorld } from '../helpers/context';
import { createEventsFeature } from '../../src/features/events';
import { silentLogger } from '../../src/platform/logger';
import type { Mailer } from '../../src/platform/mailer';
import { addGuardian, addParent, addPupil, createEvent, startSmtp } from './factory';


const MINUTE = 60_000;
type Smtp = Awaited<ReturnType<typeof startSmtp>>;

let smtp: Smtp;
afterEach(async () => smtp?.close());

/** Class Oak takes part; each parent gets one child in Oak unless told otherwise. */
function family(world: TestWorld, name: string, classes: string[] = ['Oak']) {
  const parent = addParent(world, name);
  for (const className of classes) addGuardian(world.ctx.db, parent.id, addPupil(world.ctx.db, { className }));
  return parent;
}

const deliveries = async (user: Awaited<ReturnType<typeof signIn>>, eventId: number, reminderId: number) =>
  (await user.agent.get(`/api/events/${eventId}/reminders/${reminderId}/deliveries`).expect(200)).body.deliveries as
    Array<{ email: string; state: string; attempts: number; reason: string | null; nextAttemptAt: string | null }>;

describe('reminders', () => {
  test('when a reminder falls due, then each parent of a participant gets one message with the event, the guidance and a working link', async () => {
    smtp = await startSmtp();
    const world = createTestWorld({ mailer: smtp.mailer }); // now: 2026-03-02T09:00Z
    const organiser = await signIn(world, 'organiser');
    const linkedParent = await signIn(world, 'parent');
    addGuardian(world.ctx.db, linkedParent.id, addPupil(world.ctx.db, { className: 'Oak' }));
    const twoChildren = family(world, 'Two Children', ['Oak', 'Oak']);
    const outsider = family(world, 'Elm Parent', ['Elm']);
    const event = await createEvent(organiser, { name: 'Sports & games day', participants: { classes: ['Oak'] } });

    const scheduled = await organiser.agent.post(`/api/events/${event.id}/reminders`).set('x-csrf-token', organiser.csrf).send({}).expect(201);
    expect(scheduled.body).toMatchObject({ dueAt: '2026-03-08T13:00:00.000Z', minutesBefore: 2 * 24 * 60, status: 'scheduled' });
    expect((await world.ctx.events.scheduler.runDue()).started).toBe(0);
    expect(smtp.messages).toHaveLength(0);

    world.clock.set('2026-03-08T13:00:00Z');
    expect(await world.ctx.events.scheduler.runDue()).toMatchObject({ started: 1, sent: 2, failed: 0 });
    expect(smtp.to(twoChildren.email)).toHaveLength(1);
    expect(smtp.to(outsider.email)).toHaveLength(0);
    const [mail] = smtp.to(linkedParent.email);
    expect(mail!.text).toContain('Sports & games day');
    expect(mail!.text).toContain('Sports &amp; games day'); // the HTML part, escaped
    expect(mail!.text).toContain('Tuesday, 10 March 2026 at 13:00');
    expect(mail!.text).toContain('School field');
    expect(mail!.text).toContain('images that include other children');
    expect(mail!.text).toContain('http://localhost:3000/guidance');

    const token = /http:\/\/localhost:3000\/e\/([\w-]+)/.exec(mail!.text)![1];
    const opened = await linkedParent.agent.get(`/api/event-links/${token}`).expect(200);
    expect(opened.body).toMatchObject({ eventId: event.id, name: 'Sports & games day', place: 'School field' });

    await world.ctx.events.scheduler.runDue();
    world.clock.advance(60 * MINUTE);
    await world.ctx.events.scheduler.runDue();
    expect(smtp.messages).toHaveLength(2);
    const list = await deliveries(organiser, event.id, scheduled.body.id);
    expect(list.map((d) => d.state)).toEqual(['sent', 'sent']);
    const summary = await organiser.agent.get(`/api/events/${event.id}/reminders`).expect(200);
    expect(summary.body.reminders[0]).toMatchObject({ status: 'started', deliveries: { sent: 2, failed: 0 } });
  });

  test('when the server answers 451 and then accepts, then the message is retried after a backoff and sent once', async () => {
    let flaky = '';
    smtp = await startSmtp((address, n) => (address === flaky && n === 1 ? 451 : null));
    const world = createTestWorld({ mailer: smtp.mailer });
    const admin = await signIn(world, 'admin');
    const steady = family(world, 'Steady Parent');
    flaky = family(world, 'Flaky Parent').email;
    const event = await createEvent(admin, { participants: { classes: ['Oak'] } });

    const sent = await admin.agent.post(`/api/events/${event.id}/guidance/send`).set('x-csrf-token', admin.csrf).expect(202);
    expect(sent.body.kind).toBe('on_demand');
    await world.ctx.events.scheduler.runDue();
    expect(smtp.to(steady.email)).toHaveLength(1);
    expect(smtp.to(flaky)).toHaveLength(0);
    const waiting = (await deliveries(admin, event.id, sent.body.id)).find((d) => d.email === flaky)!;
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: '2026-03-02T09:01:00.000Z' });
    expect(waiting.reason).toContain('451');

    world.clock.advance(MINUTE - 1000);
    await world.ctx.events.scheduler.runDue();
    expect(smtp.to(flaky)).toHaveLength(0);
    world.clock.advance(1000);
    await world.ctx.events.scheduler.runDue();
    expect(smtp.to(flaky)).toHaveLength(1);
    expect(smtp.to(steady.email)).toHaveLength(1);
    expect((await deliveries(admin, event.id, sent.body.id)).find((d) => d.email === flaky)).toMatchObject({ state: 'sent', attempts: 2, reason: null });
  });

  test('when the server answers 550, then the delivery fails at once, shows in deliveries and can be resent', async () => {
    let refuse = true;
    let bounced = '';
    smtp = await startSmtp((address) => (refuse && address === bounced ? 550 : null));
    const world = createTestWorld({ mailer: smtp.mailer });
    const organiser = await signIn(world, 'organiser');
    family(world, 'Good Address');
    bounced = family(world, 'Old Address').email;
    const event = await createEvent(organiser, { startsAt: '2026-03-02T12:00:00Z', participants: { classes: ['Oak'] } });
    const reminder = await organiser.agent.post(`/api/events/${event.id}/reminders`).set('x-csrf-token', organiser.csrf)
      .send({ hours: 2 }).expect(201);
    expect(reminder.body.dueAt).toBe('2026-03-02T10:00:00.000Z');

    world.clock.set('2026-03-02T10:00:30Z');
    expect(await world.ctx.events.scheduler.runDue()).toMatchObject({ sent: 1, failed: 1, retrying: 0 });
    world.clock.advance(120 * MINUTE);
    await world.ctx.events.scheduler.runDue();
    const failed = (await deliveries(organiser, event.id, reminder.body.id)).find((d) => d.email === bounced)!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.reason).toContain('550');

    refuse = false;
    const resend = await organiser.agent.post(`/api/events/${event.id}/reminders/${reminder.body.id}/resend-failed`)
      .set('x-csrf-token', organiser.csrf).expect(202);
    expect(resend.body.queued).toBe(1);
    await world.ctx.events.scheduler.runDue();
    expect(smtp.to(bounced)).toHaveLength(1);
    expect(smtp.messages).toHaveLength(2);
  });

  test('when the process dies in the middle of a batch, then a restarted scheduler sends no duplicates', async () => {
    smtp = await startSmtp();
    const world = createTestWorld({ mailer: smtp.mailer });
    const admin = await signIn(world, 'admin');
    const parents = ['One', 'Two', 'Three', 'Four'].map((n) => family(world, `Parent ${n}`));
    const event = await createEvent(admin, { participants: { classes: ['Oak'] } });

    // The first process hands its third message to SMTP and never hears back (it "crashes").
    let calls = 0;
    const dying: Mailer = {
      describe: 'dying',
      send: (m) => (++calls === 3 ? new Promise(() => undefined) : smtp.mailer.send(m)),
    };
    const first = createEventsFeature({
      db: world.ctx.db, clock: world.clock, audit: world.ctx.audit, mailer: dying, logger: silentLogger,
      publicUrl: world.config.publicUrl, schoolName: 'Test School',
    });
    const adminUser = world.ctx.accounts.repo.userById(admin.id)!;
    const reminder = first.reminders.sendGuidanceNow(adminUser, event.id);
    await waitFor(() => calls === 3);
    const states = world.ctx.db.prepare('SELECT state, COUNT(*) AS n FROM reminder_deliveries GROUP BY state ORDER BY state').all();
    expect(states).toEqual([{ state: 'pending', n: 1 }, { state: 'sending', n: 1 }, { state: 'sent', n: 2 }]);

    // A new process on the same database.
    const second = createEventsFeature({
      db: world.ctx.db, clock: world.clock, audit: world.ctx.audit, mailer: smtp.mailer, logger: silentLogger,
      publicUrl: world.config.publicUrl, schoolName: 'Test School',
    });
    expect(await second.scheduler.runDue()).toMatchObject({ interrupted: 1, sent: 1 });
    expect(smtp.messages).toHaveLength(3);
    const afterRestart = second.reminders.deliveries(adminUser, event.id, reminder.id);
    expect(afterRestart.filter((d) => d.state === 'failed').map((d) => d.reason)).toEqual(['interrupted']);
    await second.scheduler.runDue();
    expect(smtp.messages).toHaveLength(3);

    // The office decides to resend the one whose outcome is unknown.
    expect(second.reminders.resendFailed(adminUser, event.id, reminder.id)).toBe(1);
    await second.scheduler.runDue();
    for (const p of parents) expect(smtp.to(p.email)).toHaveLength(1);
  });

  test('when recording a sent message fails, then the message is not sent again', async () => {
    smtp = await startSmtp();
    const world = createTestWorld({ mailer: smtp.mailer });
    const admin = await signIn(world, 'admin');
    const parent = family(world, 'Parent Solo');
    const event = await createEvent(admin, { participants: { classes: ['Oak'] } });
    // The SMTP server accepts the message, then the database refuses the 'sent' update once.
    world.ctx.db.exec(`CREATE TRIGGER refuse_sent BEFORE UPDATE ON reminder_deliveries WHEN NEW.state = 'sent'
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const adminUser = world.ctx.accounts.repo.userById(admin.id)!;
    const reminder = world.ctx.events.reminders.sendGuidanceNow(adminUser, event.id);
    await world.ctx.events.scheduler.runDue().catch(() => undefined);
    world.ctx.db.exec('DROP TRIGGER refuse_sent');
    world.clock.advance(60 * MINUTE);
    await world.ctx.events.scheduler.runDue();
    expect(smtp.to(parent.email)).toHaveLength(1);
    const rows = world.ctx.events.reminders.deliveries(adminUser, event.id, reminder.id);
    expect(rows.map((d) => d.state)).not.toContain('pending');
  });

  test('when an event moves, then its scheduled reminders move with it; a started event takes no new reminder', async () => {
    const world = createTestWorld();
    const organiser = await signIn(world, 'organiser');
    const event = await createEvent(organiser, {});
    const r = await organiser.agent.post(`/api/events/${event.id}/reminders`).set('x-csrf-token', organiser.csrf)
      .send({ days: 1, hours: 2 }).expect(201);
    expect(r.body.dueAt).toBe('2026-03-09T11:00:00.000Z');
    await organiser.agent.patch(`/api/events/${event.id}`).set('x-csrf-token', organiser.csrf)
      .send({ startsAt: '2026-03-12T14:30:00+00:00' }).expect(200);
    const list = await organiser.agent.get(`/api/events/${event.id}/reminders`).expect(200);
    expect(list.body.reminders[0].dueAt).toBe('2026-03-11T12:30:00.000Z');
    await organiser.agent.delete(`/api/events/${event.id}/reminders/${r.body.id}`).set('x-csrf-token', organiser.csrf).expect(204);
    const cancelled = await organiser.agent.get(`/api/events/${event.id}/reminders`).expect(200);
    expect(cancelled.body.reminders[0].status).toBe('cancelled');
    world.clock.set('2026-03-11T12:30:00Z');
    expect((await world.ctx.events.scheduler.runDue()).started).toBe(0);

    world.clock.set('2026-03-12T15:00:00Z');
    const late = await organiser.agent.post(`/api/events/${event.id}/reminders`).set('x-csrf-token', organiser.csrf).send({}).expect(422);
    expect(late.body.error.code).toBe('event_started');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
