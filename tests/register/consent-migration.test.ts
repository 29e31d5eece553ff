import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../src/platform/db';
import { srcDir } from '../../src/platform/paths';

// Migration 003 carries the old snapshot rows into each person's positions.
test('when a register of snapshots is migrated, then each "given by" becomes a person and objections that later snapshots overwrote stand again', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-migrate-'));
  const real = path.join(srcDir, 'platform', 'migrations');
  for (const f of ['001_core.sql', '002_events.sql']) fs.copyFileSync(path.join(real, f), path.join(dir, f));
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, dir);
  const at = '2026-01-01T00:00:00.000Z';
  for (const id of [1, 2]) db.prepare("INSERT INTO pupils (id, first_name, last_name, class_name, year_group, created_at, updated_at) VALUES (?, 'A', 'B', '1A', 'Y1', ?, ?)").run(id, at, at);
  const photo = db.prepare('INSERT INTO photo_consents (pupil_id, status, given_by, given_on, review_on, recorded_at) VALUES (?, ?, ?, ?, ?, ?)');
  photo.run(1, 'refused', 'Mother, safeguarding', '2025-09-01', null, at);
  photo.run(1, 'granted', 'Father ', '2025-10-01', '2026-10-01', at); // the old register showed "granted"
  photo.run(2, 'granted', 'mother', '2025-09-01', '2026-09-01', at);
  photo.run(2, 'refused', 'Mother', '2025-10-01', null, at); // the same person (case and spaces differ)
  const bio = db.prepare('INSERT INTO biometric_consents (pupil_id, parent_consent, parent_objection, child_objection, given_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)');
  bio.run(1, 1, 0, 1, 'Mother, safeguarding', at);
  bio.run(1, 1, 0, 0, 'Mother, safeguarding', '2026-02-01T00:00:00.000Z'); // the child's refusal was recorded as over
  bio.run(2, 1, 0, 0, 'Mother', at);

  expect(migrate(db, real)[0]).toBe('003_consent_positions.sql'); // and every later migration
  const people = db.prepare('SELECT pupil_id, kind, name FROM consent_people ORDER BY id').all();
  expect(people).toEqual(expect.arrayContaining([
    { pupil_id: 1, kind: 'named', name: 'Mother, safeguarding' }, { pupil_id: 1, kind: 'named', name: 'Father' },
    { pupil_id: 2, kind: 'named', name: expect.stringMatching(/^mother$/i) }, { pupil_id: 1, kind: 'child', name: null },
  ]));
  expect(people).toHaveLength(4);
  const positions = db.prepare(`SELECT pos.pupil_id, pos.consent, pos.position, cp.kind, cp.name, pos.review_on, pos.source
    FROM consent_positions pos JOIN consent_people cp ON cp.id = pos.person_id ORDER BY pos.id`).all();
  expect(positions).toEqual([
    { pupil_id: 1, consent: 'photo', position: 'objects', kind: 'named', name: 'Mother, safeguarding', review_on: null, source: 'paper' },
    { pupil_id: 1, consent: 'photo', position: 'consents', kind: 'named', name: 'Father', review_on: '2026-10-01', source: 'paper' },
    { pupil_id: 2, consent: 'photo', position: 'consents', kind: 'named', name: expect.stringMatching(/^mother$/i), review_on: '2026-09-01', source: 'paper' },
    { pupil_id: 2, consent: 'photo', position: 'objects', kind: 'named', name: expect.stringMatching(/^mother$/i), review_on: null, source: 'paper' },
    { pupil_id: 1, consent: 'biometric', position: 'consents', kind: 'named', name: 'Mother, safeguarding', review_on: null, source: 'paper' },
    { pupil_id: 1, consent: 'biometric', position: 'objects', kind: 'child', name: null, review_on: null, source: 'paper' },
    { pupil_id: 1, consent: 'biometric', position: 'consents', kind: 'named', name: 'Mother, safeguarding', review_on: null, source: 'paper' },
    { pupil_id: 1, consent: 'biometric', position: 'withdrawn', kind: 'child', name: null, review_on: null, source: 'paper' },
    { pupil_id: 2, consent: 'biometric', position: 'consents', kind: 'named', name: expect.stringMatching(/^mother$/i), review_on: null, source: 'paper' },
  ]);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('photo_consents', 'biometric_consents')").all()).toEqual([]);
});
