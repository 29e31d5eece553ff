import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { samplePath } from '../helpers/photos';

// The CLI as an office would run it: a real process on a real data folder.
const root = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-cli-'));
const env = { ...process.env, DATA_DIR: path.join(dir, 'data'), UPLOADS_DIR: path.join(dir, 'uploads'), LOG_LEVEL: 'silent', FACE_WORKERS: '1' };

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'src/cli.ts'), ...args], { env, input, encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('when create-admin gets a password on stdin, then the admin exists with a hashed password', () => {
  const r = cli(['create-admin', '--email', 'head@school.example', '--name', 'Head Teacher', '--password-stdin'], 'a long enough password\n');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const db = new Database(path.join(dir, 'data', 'sharesafe.db'), { readonly: true });
  const row = db.prepare("SELECT role, password_hash FROM users WHERE email = 'head@school.example'").get() as { role: string; password_hash: string };
  db.close();
  expect(row.role).toBe('admin');
  expect(row.password_hash).toMatch(/^scrypt\$/);
  expect(row.password_hash).not.toContain('a long enough password');
});

test('when a required flag is missing, then the CLI says so and exits non-zero', () => {
  const r = cli(['create-admin', '--name', 'No Email']);
  expect(r.code).not.toBe(0);
  expect(r.err).toContain('--email');
});

test('when a CSV has a bad row, then import-csv reports it and imports nothing; a good one imports', () => {
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, 'UPN,Legal Forename,Legal Surname,Year,Reg Group,Contact 1 Email\n,Amy,Ash,Year 3,3B,amy.parent@example.test\n,,Bloggs,Year 3,3B,not-an-email\n');
  const r1 = cli(['import-csv', bad]);
  expect(r1.code).not.toBe(0);
  expect(r1.err).toMatch(/row 3/i);
  const good = path.join(dir, 'good.csv');
  fs.writeFileSync(good, 'UPN,Legal Forename,Legal Surname,Year,Reg Group,Contact 1 Email,Contact 1 Parental Responsibility\n,Amy,Ash,Year 3,3B,amy.parent@example.test,T\n');
  const r2 = cli(['import-csv', good]);
  expect(r2.err).toBe('');
  expect(JSON.parse(r2.out)).toEqual(expect.objectContaining({ pupilsCreated: 1, parentsCreated: 1 }));
});

test('when check is given a photo, then it writes a safe copy with every face blurred and prints the report', async () => {
  const photo = path.join(dir, 'concert.jpg');
  await sharp(samplePath(1)).resize(1000).withMetadata({ orientation: 1 }).jpeg().toFile(photo);
  const out = path.join(dir, 'concert-safe.jpg');
  const r = cli(['check', photo, '--out', out]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out);
  expect(report.safeCopy).toBe(out);
  // Three people, plus any weak place that may be a face: every one of them blurred.
  const faces = report.photos[0].faces as Array<{ score: number; blurred: boolean }>;
  expect(faces.filter((f) => f.score >= 0.9)).toHaveLength(3);
  expect(faces.every((f) => f.blurred)).toBe(true);
  expect(report.photos[0].blurredRegions).toHaveLength(faces.length);
  expect((await sharp(out).metadata()).exif).toBeUndefined();
  // The temporary check is gone; only the requested copy remains.
  expect(fs.readdirSync(path.join(dir, 'uploads'))).toEqual([]);
  // Run by the office: aggregate counts per photo, no per-face verdicts.
  expect(report.photos[0].officeCounts).toEqual({ own_child: 0, consented: 0, no_consent: 0, unknown: faces.length });
  expect(report.photos[0].faces.map((f: object) => Object.keys(f).sort())).toEqual(Array(faces.length).fill(['blurred', 'box', 'mayReveal', 'outcome', 'revealed', 'score']));

  // Run for a parent (imported above): the parent's view only.
  const forParent = cli(['check', photo, '--out', out, '--parent-email', 'amy.parent@example.test']);
  expect(forParent.err).toBe('');
  expect(forParent.out).not.toMatch(/verdict|officeCounts|no_consent|unknown|consented/);
  expect(JSON.parse(forParent.out).photos[0].faces.map((f: { outcome: string }) => f.outcome)).toEqual(Array(faces.length).fill('blurred'));
});
