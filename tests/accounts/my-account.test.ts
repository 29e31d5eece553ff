import request from 'supertest';
import { bootstrapFirstAdmin } from '../../src/features/accounts/first-admin';
import { createTestWorld, signIn } from '../helpers/context';

// Issue #12 item 2: My account, for everyone.

function captureMail(world: ReturnType<typeof createTestWorld>) {
  const sent: { to: string; subject: string; text: string }[] = [];
  world.ctx.mailer.send = async (m) => { sent.push(m); return { messageId: `m${sent.length}` }; };
  return sent;
}

test('when the first admin changes the placeholder address on My account, then it changes only once the link sent to the new address is opened', async () => {
  const world = createTestWorld();
  const sent = captureMail(world);
  const token = bootstrapFirstAdmin(world.ctx.accounts)!.split('/').pop()!;
  const agent = request.agent(world.app);
  await agent.post(`/invite/${token}`).type('form').send({ password: 'a long enough password', confirm: 'a long enough password' }).expect(303);
  const page = await agent.get('/account').expect(200);
  expect(page.text).toContain('admin@sharesafe.local');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;

  await agent.post('/account/name').type('form').send({ _csrf: csrf, name: 'Mrs Office' }).expect(303);
  await agent.post('/account/email').type('form').send({ _csrf: csrf, email: 'office@school.example' }).expect(303);
  expect(sent.map((m) => m.to)).toEqual(['office@school.example', 'admin@sharesafe.local']);
  expect((await agent.get('/api/auth/me').expect(200)).body.user.email).toBe('admin@sharesafe.local');

  const link = /\/confirm-email\/[\w-]+/.exec(sent[0]!.text)![0];
  await agent.get(link).expect(200); // a mail scanner following the link changes nothing
  expect((await agent.get('/api/auth/me')).body.user.email).toBe('admin@sharesafe.local');
  await agent.post(link).expect(200);
  const me = (await agent.get('/api/auth/me')).body.user;
  expect([me.name, me.email]).toEqual(['Mrs Office', 'office@school.example']);
  await agent.post(link).expect(410);
});

test('when someone changes their password on My account, then it needs the current one and signs out their other sessions only', async () => {
  const world = createTestWorld();
  const parent = await signIn(world, 'parent');
  const other = request.agent(world.app);
  await other.post('/api/auth/login').send({ email: parent.email, password: 'correct horse battery' }).expect(200);
  const wrong = await parent.agent.post('/account/password').type('form')
    .send({ _csrf: parent.csrf, current: 'not it at all', password: 'a new long password', confirm: 'a new long password' }).expect(400);
  expect(wrong.text).toContain('current password is not right');
  await parent.agent.post('/account/password').type('form')
    .send({ _csrf: parent.csrf, current: 'correct horse battery', password: 'a new long password', confirm: 'a new long password' }).expect(303);
  await parent.agent.get('/api/auth/me').expect(200);
  await other.get('/api/auth/me').expect(401);
  await request(world.app).post('/api/auth/login').send({ email: parent.email, password: 'a new long password' }).expect(200);
});

test('when someone looks at My account, then they see and can revoke their own API tokens and sessions, and nobody else\'s', async () => {
  const world = createTestWorld();
  const organiser = await signIn(world, 'organiser');
  const stranger = await signIn(world, 'organiser');
  const laptop = request.agent(world.app);
  await laptop.post('/api/auth/login').send({ email: organiser.email, password: 'correct horse battery' }).expect(200);
  const created = await organiser.agent.post('/account/tokens').type('form').send({ _csrf: organiser.csrf, name: 'nightly sync' }).expect(201);
  const token = /<code>(ss_[\w-]+)<\/code>/.exec(created.text)![1]!;
  await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);

  const sessions = (await organiser.agent.get('/api/auth/sessions').expect(200)).body.sessions as { id: number; current: boolean }[];
  expect(sessions.filter((x) => x.current)).toHaveLength(1);
  const laptopSession = sessions.find((x) => !x.current)!;
  await stranger.agent.post(`/account/sessions/${laptopSession.id}/revoke`).type('form').send({ _csrf: stranger.csrf }).expect(404);
  await organiser.agent.post(`/account/sessions/${laptopSession.id}/revoke`).type('form').send({ _csrf: organiser.csrf }).expect(303);
  await laptop.get('/api/auth/me').expect(401);

  const page = await organiser.agent.get('/account').expect(200);
  expect(page.text).toContain('nightly sync');
  expect(page.text).toContain('last used');
  const tokenId = (await organiser.agent.get('/api/tokens')).body.tokens[0].id as number;
  await organiser.agent.post(`/account/tokens/${tokenId}/revoke`).type('form').send({ _csrf: organiser.csrf }).expect(303);
  await request(world.app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
});

test('when a new address already belongs to another account, then confirming it is refused and nothing changes', async () => {
  const world = createTestWorld();
  const sent = captureMail(world);
  const a = await signIn(world, 'parent');
  const b = await signIn(world, 'parent');
  await a.agent.post('/api/auth/me/email').set('x-csrf-token', a.csrf).send({ email: b.email }).expect(202);
  const token = /confirm-email\/([\w-]+)/.exec(sent[0]!.text)![1]!;
  await request(world.app).post(`/api/auth/email-change/${token}`).expect(409);
  expect((await a.agent.get('/api/auth/me')).body.user.email).toBe(a.email);
});
