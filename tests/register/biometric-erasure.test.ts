import fs from 'node:fs';
import path from 'node:path';
import { createTestWorld, signIn } from '../helpers/context';
import { biometric, createPupil, insertFakeReference, post } from './factories';

test('when biometric consent is withdrawn, then the template bytes are gone from the database file itself', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  const refId = insertFakeReference(world, pupil.id);
  const blob = (world.ctx.db.prepare('SELECT descriptor_enc FROM reference_faces WHERE id = ?').get(refId) as { descriptor_enc: Buffer }).descriptor_enc;
  const file = path.join(world.config.DATA_DIR, 'test.db');
  world.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
  expect(fs.readFileSync(file).includes(blob)).toBe(true); // the probe can see it while it exists

  const res = await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true, true)).expect(201);
  expect(res.body.deletedReferences).toBe(1);
  world.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
  expect(fs.readFileSync(file).includes(blob)).toBe(false);
});
