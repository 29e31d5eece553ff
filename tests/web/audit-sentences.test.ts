import { createTestWorld, signIn } from '../helpers/context';
import { createPupil, post } from '../register/factories';

// Issue #12 item 9: the audit page reads as plain sentences, ids looked up as names when shown.

test('when the office reads the audit trail, then each line is a sentence naming who did what to whom', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin', { name: 'Mrs Office' });
  const pupil = await createPupil(office, { firstName: 'Ada', lastName: 'Lovelace' });
  const parent = await signIn(world, 'parent', { name: 'Anne Lovelace' });
  await post(office, `/api/pupils/${pupil.id}/guardians`, { userId: parent.id }).expect(201);
  await office.agent.get(`/api/pupils/${pupil.id}/consents`).expect(200);
  await post(office, `/api/pupils/${pupil.id}/leave`, {}).expect(200);
  await office.agent.delete(`/api/pupils/${pupil.id}`).set('x-csrf-token', office.csrf).expect(200);
  world.ctx.audit.record('cli.command', { details: { command: 'rotate-key', dryRun: false } });

  const page = await office.agent.get('/office/audit').expect(200);
  const lines = [...page.text.matchAll(/<span class="office-audit-line">([\s\S]*?)<\/span><\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
  expect(lines).toEqual(expect.arrayContaining([
    'Someone at the server ran the command “rotate-key”.',
    `Mrs Office erased pupil no. ${pupil.id} because the office asked.`,
    `Mrs Office marked pupil no. ${pupil.id} as left.`,
    `Mrs Office looked at the consent history of pupil no. ${pupil.id}.`,
    `Mrs Office linked Anne Lovelace to pupil no. ${pupil.id}.`,
    `Mrs Office added pupil no. ${pupil.id}.`,
    'Mrs Office signed in.',
  ]));
});
