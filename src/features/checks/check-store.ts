import fs from 'node:fs';
import path from 'node:path';
import { newToken } from '../../platform/secrets';
import type { CheckRecord } from './checks.presenter';

// Results of a check live on disk under uploads/<id>/ (a JSON record and the safe copies), never
// in the database, and are deleted when they expire. The expiry sits in the record itself, so a
// sweeper started after a restart still finds and deletes what an earlier process left behind.
// Originals are never written: multer keeps them in memory for the length of the request.

const ID = /^[A-Za-z0-9_-]{22,64}$/;

/** What is stored: the record, plus server-only facts the presenter never sends. */
export type StoredCheck = CheckRecord & {
  /** Pupils left visible in any safe copy of this check (own child or consented). Server-side
   *  only: when one of them loses consent, the check's copies are deleted at once. */
  visiblePupilIds?: number[];
};
const RECORD = 'check.json';
const TMP = '.tmp';

export interface CheckStore {
  newId(): string;
  save(record: StoredCheck, safeCopies: Map<number, Buffer>): void;
  load(id: string): StoredCheck | null;
  safeCopyPath(id: string, index: number): string | null;
  /** Replaces one safe copy and the record together (the parent's review made a new copy). */
  replaceSafeCopy(record: StoredCheck, index: number, safeCopy: Buffer): void;
  /** The owner's stored checks, newest first (expired ones included until the sweep). */
  listByOwner(ownerId: number): StoredCheck[];
  remove(id: string): void;
  /** Deletes every stored check in which this pupil is visible; returns how many. */
  removeShowing(pupilId: number): number;
  /** Deletes expired checks and orphaned folders; returns how many folders were removed. */
  sweep(now: Date, orphanAgeMs: number): number;
}

export function createCheckStore(root: string): CheckStore {
  fs.mkdirSync(root, { recursive: true });
  const dirOf = (id: string) => {
    if (!ID.test(id)) return null;
    return path.join(root, id);
  };
  const fileOf = (index: number) => `safe-${index}.jpg`;
  const allRecords = () => readAll(root);

  return {
    newId: () => newToken(24),

    save(record, safeCopies) {
      const dir = dirOf(record.id)!;
      const tmp = `${dir}${TMP}`;
      try {
        fs.mkdirSync(tmp, { recursive: true });
        for (const [index, buffer] of safeCopies) fs.writeFileSync(path.join(tmp, fileOf(index)), buffer);
        fs.writeFileSync(path.join(tmp, RECORD), JSON.stringify(record));
        // The folder appears whole or not at all.
        fs.renameSync(tmp, dir);
      } catch (err) {
        // A full disk must not leave half a result behind until the next sweep.
        fs.rmSync(tmp, { recursive: true, force: true });
        throw err;
      }
    },

    load(id) {
      const dir = dirOf(id);
      if (!dir) return null;
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, RECORD), 'utf8')) as StoredCheck;
      } catch {
        return null;
      }
    },

    removeShowing(pupilId) {
      let removed = 0;
      for (const { dir, record } of allRecords()) {
        if (!record.visiblePupilIds?.includes(pupilId)) continue;
        fs.rmSync(dir, { recursive: true, force: true });
        removed += 1;
      }
      return removed;
    },

    replaceSafeCopy(record, index, safeCopy) {
      const dir = dirOf(record.id);
      if (!dir || !fs.existsSync(path.join(dir, RECORD))) throw new Error('check folder missing');
      // Each file is swapped whole (write then rename), the copy before the record that names it.
      const swap = (name: string, data: Buffer | string) => {
        const tmpFile = path.join(dir, `${name}${TMP}`);
        try {
          fs.writeFileSync(tmpFile, data);
          fs.renameSync(tmpFile, path.join(dir, name));
        } catch (err) {
          fs.rmSync(tmpFile, { force: true });
          throw err;
        }
      };
      swap(fileOf(index), safeCopy);
      swap(RECORD, JSON.stringify(record));
    },

    listByOwner(ownerId) {
      return allRecords().map((r) => r.record).filter((r) => r.ownerId === ownerId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    safeCopyPath(id, index) {
      const dir = dirOf(id);
      if (!dir || !Number.isInteger(index) || index < 0) return null;
      const file = path.join(dir, fileOf(index));
      return fs.existsSync(file) ? file : null;
    },

    remove(id) {
      const dir = dirOf(id);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },

    sweep(now, orphanAgeMs) {
      let removed = 0;
      for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
        // Folders not named like a check belong to something else (videos/, video-uploads/).
        if (!entry.isDirectory() || !(ID.test(entry.name) || entry.name.endsWith(TMP))) continue;
        const dir = path.join(root, entry.name);
        // A save never spans a sweep (both are synchronous), so a .tmp folder is always the
        // remains of a failed write or a crash: it goes whatever its age.
        const expired = entry.name.endsWith(TMP) || isExpired(dir, now, orphanAgeMs);
        if (expired) {
          fs.rmSync(dir, { recursive: true, force: true });
          removed += 1;
        }
      }
      return removed;
    },
  };
}

/** Every readable record. A school's checks of the last hour: reading each small record is cheap enough. */
function readAll(root: string): Array<{ dir: string; record: StoredCheck }> {
  const out: Array<{ dir: string; record: StoredCheck }> = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !ID.test(entry.name)) continue;
    const dir = path.join(root, entry.name);
    try {
      out.push({ dir, record: JSON.parse(fs.readFileSync(path.join(dir, RECORD), 'utf8')) as StoredCheck });
    } catch {
      // being written, or an orphan the sweeper removes
    }
  }
  return out;
}

function isExpired(dir: string, now: Date, orphanAgeMs: number): boolean {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, RECORD), 'utf8')) as CheckRecord;
    return new Date(record.expiresAt) <= now;
  } catch {
    // No readable record and not a .tmp: remove once it is clearly stale.
    return now.getTime() - fs.statSync(dir).mtimeMs > orphanAgeMs;
  }
}
