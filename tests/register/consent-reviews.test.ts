import fs from 'node:fs';
import path from 'node:path';
import { WORDING_VERSION } from '../../src/features/register/consent-wording';
import { outboxDir } from '../../src/context';
import { startSmtp } from '../events/factory';
import { createTestWorld, signIn, type SignedIn } from '../helpers/context';
import { createPupil, post } from './factories';

// "Please review your consent" e-mails through a real SMTP server on loopback.

type Smtp = Awaited<ReturnType<typeof startSmtp>>;
let smtp: Smtp | undefined;
afterEach(async () => smtp?.close());

async function family(office: SignedIn, world: ReturnType<typeof createTestWorld>, name: string, child: string) {
  const parent = await signIn(world, 'parent', { name });
  const pupil = await createPupil(office, { firstName: child, lastName: 'Family' });
  await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
  return { parent, pupilId: pupil.id };
}

const answer = (user: SignedIn, id: number, consent: 'photo' | 'biometric', a: string) =>
  post(user, `/api/me/children/${id}/consents/${consent}`, { answer: a, wordingVersion: WORDING_VERSION[consent] }).expect(200);

test('when the office sends review reminders, then parents whose review is near or who never answered get one e-mail naming only their own children', async () => {
  smtp = await startSmtp();
  const world = createTestWorld({ mailer: smtp.mailer }); // 2026-03-02
  const office = await signIn(world, 'admin');
  const done = await family(office, world, 'Dana Done', 'Dora');
  const due = await family(office, world, 'Dev Due', 'Dilys');
  const silent = await family(office, world, 'Sam Silent', 'Sid');
  world.clock.set('2025-03-20T09:00:00Z');
  await answer(due.parent, due.pupilId, 'photo', 'consents'); // review on 2026-03-20: within 30 days of today
  await answer(due.parent, due.pupilId, 'biometric', 'objects');
  world.clock.set('2026-03-02T09:00:00Z');
  await answer(done.parent, done.pupilId, 'photo', 'objects');
  await answer(done.parent, done.pupilId, 'biometric', 'consents');

  const list = (await office.agent.get('/api/consent-reviews').expect(200)).body;
  expect(list.recipients.map((r: { name: string; children: Array<{ firstName: string; reasons: string[] }> }) => [r.name, r.children.map((c) => [c.firstName, c.reasons])])).toEqual([
    ['Dev Due', [['Dilys', ['photo_review_due']]]],
    ['Sam Silent', [['Sid', ['photo_not_answered', 'biometric_not_answered']]]],
  ]);

  const stale = await post(office, '/api/consent-reviews/send', { expectedRecipients: 3 }).expect(409);
  expect(stale.body.error.message).toMatch(/2 parents/);
  expect(smtp.messages).toHaveLength(0);

  expect((await post(office, '/api/consent-reviews/send', { expectedRecipients: 2 }).expect(200)).body).toEqual({ sent: 2, failed: 0 });
  expect(smtp.to(done.parent.email)).toHaveLength(0);
  const [mail] = smtp.to(due.parent.email);
  expect(mail!.text).toContain('Dilys: photo sharing: your answer is due for review');
  expect(mail!.text).toContain('http://localhost:3000/consents');
  expect(mail!.text).not.toMatch(/Sid|Dora/);
  expect(smtp.to(silent.parent.email)[0]!.text).toContain('Sid: photo sharing: no answer from you yet; face recognition: no answer from you yet');
  expect(world.ctx.audit.list({}).find((e) => e.action === 'consent_review.sent')).toMatchObject({ actorId: office.id, details: { recipients: 2, sent: 2, failed: 0 } });
  await post(silent.parent, '/api/consent-reviews/send', { expectedRecipients: 2 }).expect(403);
});

test('when the office uses the page, then it shows the list and sends only after the confirming button, into the outbox by default', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  await family(office, world, 'Sam Silent', 'Sid');
  await family(office, world, 'Tia Quiet', 'Tom');
  const page = await office.agent.get('/office/consent-reviews').set('Accept', 'text/html').expect(200);
  expect(page.text).toContain('2 parents to e-mail');
  expect(page.text).toContain('Yes, send 2 e-mails');
  const outbox = outboxDir(world.config);
  const before = fs.existsSync(outbox) ? fs.readdirSync(outbox).length : 0;
  const form = (fields: Record<string, string>) => office.agent.post('/office/consent-reviews/send').set('Accept', 'text/html').type('form').send({ ...fields, _csrf: office.csrf });
  expect((await form({ expected: '1' }).expect(409)).text).toContain('The list has changed');
  const sent = await form({ expected: '2' }).expect(303);
  const landed = await office.agent.get(sent.headers.location!).set('Accept', 'text/html').expect(200);
  expect(landed.text).toContain('2 e-mails sent.');
  const files = fs.readdirSync(outbox).slice(before);
  expect(files).toHaveLength(2);
  expect(fs.readFileSync(path.join(outbox, files[0]!), 'utf8')).toContain('/consents');
});
