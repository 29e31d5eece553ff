import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCheckStore } from '../../src/features/checks/check-store';
import type { CheckRecord } from '../../src/features/checks/checks.presenter';

const record = (id: string, expiresAt: string): CheckRecord => ({
  id, ownerId: 1, eventId: null, mode: 'standard', createdAt: '2026-03-02T09:00:00Z', expiresAt, photos: [],
});

test('when the process restarts, then a new sweeper still deletes what expired and what a crash left half-written', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'store-'));
  const before = createCheckStore(root);
  const expired = before.newId();
  const current = before.newId();
  // Real time here: orphans are judged by their folder's mtime.
  const now = new Date(Date.now() + 1000);
  before.save(record(expired, new Date(now.getTime() - 60_000).toISOString()), new Map([[0, Buffer.from('jpeg bytes')]]));
  before.save(record(current, new Date(now.getTime() + 3_600_000).toISOString()), new Map());
  fs.mkdirSync(path.join(root, `${before.newId()}.tmp`)); // a save interrupted by a crash
  fs.mkdirSync(path.join(root, before.newId())); // a folder without a record, of unknown origin

  const after = createCheckStore(root); // "restart": nothing in memory carries over
  // The expired check and the .tmp go at once, whatever the .tmp's age (issue 11); the
  // record-less folder only once it is clearly stale.
  expect(after.sweep(now, 60_000)).toBe(2);
  expect(after.sweep(new Date(now.getTime() + 61_000), 60_000)).toBe(1);
  expect(fs.readdirSync(root)).toEqual([current]);
  expect(after.load(expired)).toBeNull();
  expect(after.load(current)?.id).toBe(current);
});

test('when an id is not a well-formed check id, then the store refuses to touch the path', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'store-'));
  const store = createCheckStore(root);
  expect(store.load('../../etc')).toBeNull();
  expect(store.safeCopyPath('../x', 0)).toBeNull();
  store.remove('..');
  expect(fs.existsSync(root)).toBe(true);
});

test('when a pupil loses consent, then only the stored checks that list them as visible are removed', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'store-'));
  const store = createCheckStore(root);
  const later = '2099-01-01T00:00:00Z';
  const [showing, other, older] = [store.newId(), store.newId(), store.newId()];
  store.save({ ...record(showing, later), visiblePupilIds: [3, 7] }, new Map([[0, Buffer.from('jpeg')]]));
  store.save({ ...record(other, later), visiblePupilIds: [4] }, new Map());
  store.save(record(older, later), new Map()); // saved before the list existed: expires within the hour
  expect(store.removeShowing(7)).toBe(1);
  expect(store.load(showing)).toBeNull();
  expect(store.safeCopyPath(showing, 0)).toBeNull();
  expect(fs.readdirSync(root).sort()).toEqual([other, older].sort());
  expect(store.removeShowing(7)).toBe(0);
});
