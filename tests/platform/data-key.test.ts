import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config';
import { createContext } from '../../src/context';
import { templateAad } from '../../src/features/register/templates';
import { createCipher, dataKeyId } from '../../src/platform/secrets';
import { createTestWorld, signIn } from '../helpers/context';
import { biometric, createPupil, insertFakeReference, post } from '../register/factories';

// Issue #12 item 8: the data key that seals face templates.
const root = path.resolve(__dirname, '../..');
const keyA = Buffer.alloc(32, 7).toString('base64');
const keyB = Buffer.alloc(32, 9).toString('base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);

function run(script: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, script), ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', FACE_WORKERS: '1', ...env }, encoding: 'utf8', cwd: root, timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test.each([
  ['production without a key', { NODE_ENV: 'production' }, /DATA_KEY: required when NODE_ENV=production/],
  ['production with DATA_KEY', { NODE_ENV: 'production', DATA_KEY: keyA }, null],
  ['development without a key (the generated one is for trying it out)', {}, null],
])('when the environment is %s, then the configuration is accepted only with a key in production', (_c, env, problem) => {
  const parse = () => parseConfig(env);
  if (problem) expect(parse).toThrow(problem);
  else expect(parse).not.toThrow();
});

test('when NODE_ENV=production and the key comes from DATA_KEY_FILE, then it is accepted; without it the server refuses to start', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-key-'));
  const file = path.join(dir, 'key');
  fs.writeFileSync(file, `${keyA}\n`);
  expect(parseConfig({ NODE_ENV: 'production', DATA_KEY_FILE: file }).DATA_KEY).toBe(keyA);
  const r = run('src/main.ts', [], { NODE_ENV: 'production', DATA_DIR: path.join(dir, 'data'), UPLOADS_DIR: path.join(dir, 'up'), PORT: '0' });
  expect(r.code).toBe(1);
  expect(r.err).toContain('DATA_KEY: required when NODE_ENV=production');
  expect(fs.existsSync(path.join(dir, 'data', 'data.key'))).toBe(false);
});

test('when a template is moved onto another pupil\'s row, then it no longer opens: the thumbnail is refused and the gallery leaves it out', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const a = await createPupil(office, { firstName: 'Ann' });
  const b = await createPupil(office, { firstName: 'Ben' });
  for (const p of [a, b]) await post(office, `/api/pupils/${p.id}/biometric-consent`, biometric(true)).expect(201);
  const refId = insertFakeReference(world, a.id, JPEG);
  const own = await office.agent.get(`/api/pupils/${a.id}/references/${refId}/thumbnail`).buffer(true).expect(200);
  expect(Buffer.from(own.body as Buffer).equals(JPEG)).toBe(true);
  expect(world.ctx.register.galleryForChecks().size).toBe(1);

  // Someone with write access to the database gives Ann's face to Ben.
  world.ctx.db.prepare('UPDATE reference_faces SET pupil_id = ? WHERE id = ?').run(b.id, refId);
  world.ctx.register.invalidateGallery();
  const res = await office.agent.get(`/api/pupils/${b.id}/references/${refId}/thumbnail`).expect(500);
  expect(res.body.error.code).toBe('template_unreadable');
  expect(world.ctx.register.galleryForChecks().size).toBe(0); // Ben is not "recognised" as Ann: blurred
});

test('when templates were sealed before the key id existed, then the next start seals them bound to their pupil under the key id', async () => {
  const world = createTestWorld();
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  const descriptor = Buffer.from(Float32Array.from({ length: 128 }, (_, i) => i / 128).buffer);
  const legacy = world.ctx.cipher.encrypt(descriptor); // how rows were sealed before migration 005
  world.ctx.db.prepare('INSERT INTO reference_faces (pupil_id, descriptor_enc, face_width, quality, created_at) VALUES (?, ?, 120, 0.9, ?)')
    .run(pupil.id, legacy, '2026-01-01T00:00:00Z');

  createContext({ ...world.ctx }); // a restart on the same database and key
  const row = world.ctx.db.prepare('SELECT descriptor_enc, key_id FROM reference_faces').get() as { descriptor_enc: Buffer; key_id: string };
  expect(row.key_id).toBe(dataKeyId(Buffer.from(keyA, 'base64')));
  expect(world.ctx.cipher.decrypt(row.descriptor_enc, templateAad(pupil.id, 'descriptor')).equals(descriptor)).toBe(true);
  expect(() => world.ctx.cipher.decrypt(row.descriptor_enc)).toThrow();
  expect(world.ctx.register.galleryForChecks().size).toBe(1);
});

test('when rotate-key runs with a new key file, then every template is re-encrypted under it and the service reads them with the new key only', async () => {
  const world = createTestWorld({ config: { DATA_KEY: keyA } });
  const office = await signIn(world, 'admin');
  const pupil = await createPupil(office);
  await post(office, `/api/pupils/${pupil.id}/biometric-consent`, biometric(true)).expect(201);
  const refId = insertFakeReference(world, pupil.id, JPEG);
  insertFakeReference(world, pupil.id);
  world.ctx.db.close();

  const keyFile = path.join(world.config.DATA_DIR, '..', 'new.key');
  fs.writeFileSync(keyFile, `${keyB}\n`, { mode: 0o600 });
  const dbEnv = { DATA_DIR: world.config.DATA_DIR, UPLOADS_DIR: world.config.UPLOADS_DIR, DATA_KEY: keyA };
  fs.renameSync(path.join(world.config.DATA_DIR, 'test.db'), path.join(world.config.DATA_DIR, 'sharesafe.db'));
  for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(world.config.DATA_DIR, `test.db${suffix}`), { force: true });
  const r = run('src/cli.ts', ['rotate-key', '--new-key-file', keyFile], dbEnv);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toContain('Re-encrypted 2 face template(s)');
  expect(r.out).toContain('DATA_KEY_FILE=');

  const { openDb } = await import('../../src/platform/db');
  const db = openDb(path.join(world.config.DATA_DIR, 'sharesafe.db'));
  const rows = db.prepare('SELECT key_id FROM reference_faces').all() as { key_id: string }[];
  expect(rows.map((x) => x.key_id)).toEqual([createCipher(Buffer.from(keyB, 'base64')).keyId, createCipher(Buffer.from(keyB, 'base64')).keyId]);
  const actions = db.prepare("SELECT action FROM audit_log WHERE action IN ('reference_faces.key_rotated', 'cli.command')").pluck().all();
  expect(actions).toEqual(['reference_faces.key_rotated', 'cli.command']);
  db.close();

  // The service started with the new key shows the thumbnail; with the old key, it cannot.
  const { createApp } = await import('../../src/app');
  for (const [key, status] of [[keyB, 200], [keyA, 500]] as const) {
    const db2 = openDb(path.join(world.config.DATA_DIR, 'sharesafe.db'));
    const ctx = createContext({ ...world.ctx, db: db2, cipher: createCipher(Buffer.from(key, 'base64')) });
    const app = createApp(ctx);
    const request = (await import('supertest')).default;
    const agent = request.agent(app);
    const login = await agent.post('/api/auth/login').send({ email: office.email, password: 'correct horse battery' }).expect(200);
    const res = await agent.get(`/api/pupils/${pupil.id}/references/${refId}/thumbnail`).set('x-csrf-token', login.body.csrfToken).buffer(true);
    expect(res.status).toBe(status);
    if (status === 200) expect(Buffer.from(res.body as Buffer).equals(JPEG)).toBe(true);
    db2.close();
  }
});
