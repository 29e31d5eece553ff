// Results of video checks on disk under UPLOADS_DIR/videos/<job id>/: the stored record
// (server-side verdicts per track) and the safe copy. A folder appears whole (renamed from
// .tmp) or not at all, and goes when its record expires, on consent ceasing, or on request.
import fs from 'node:fs';
import path from 'node:path';
import type { StoredVideo } from './videos.presenter';

const ID = /^[A-Za-z0-9_-]{22,64}$/;
const RECORD = 'video.json';
const FILE = 'safe.mp4';
const TMP = '.tmp';

export type VideoStore = ReturnType<typeof createVideoStore>;

/** The folder is made on first use: an uploads folder without videos stays as it was. */
export function createVideoStore(root: string) {
  const list = (): string[] => (fs.existsSync(root) ? fs.readdirSync(root) : []);
  const dirOf = (id: string) => (ID.test(id) ? path.join(root, id) : null);

  return {
    /** A fresh folder for the job's output while it is being made. */
    workDir(id: string): string {
      const dir = `${dirOf(id)!}${TMP}`;
      fs.mkdirSync(root, { recursive: true });
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    },
    outputFile: (workDir: string) => path.join(workDir, FILE),
    /** Publishes the finished work folder with its record. */
    commit(id: string, record: StoredVideo): void {
      const dir = dirOf(id)!;
      const tmp = `${dir}${TMP}`;
      fs.writeFileSync(path.join(tmp, RECORD), JSON.stringify(record));
      fs.renameSync(tmp, dir);
    },
    discardWork(id: string): void {
      const dir = dirOf(id);
      if (dir) fs.rmSync(`${dir}${TMP}`, { recursive: true, force: true });
    },
    load(id: string): StoredVideo | null {
      const dir = dirOf(id);
      if (!dir) return null;
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, RECORD), 'utf8')) as StoredVideo;
      } catch {
        return null;
      }
    },
    filePath(id: string): string | null {
      const dir = dirOf(id);
      const file = dir && path.join(dir, FILE);
      return file && fs.existsSync(file) ? file : null;
    },
    remove(id: string): void {
      const dir = dirOf(id);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
    /** Deletes every stored video in which this pupil is visible; returns how many. */
    removeShowing(pupilId: number): number {
      let removed = 0;
      for (const name of list()) {
        const record = ID.test(name) ? this.load(name) : null;
        if (!record?.visiblePupilIds.includes(pupilId)) continue;
        fs.rmSync(path.join(root, name), { recursive: true, force: true });
        removed += 1;
      }
      return removed;
    },
    /** Deletes expired results, and work folders no running job owns. */
    sweep(now: Date, running: ReadonlySet<string>): number {
      let removed = 0;
      for (const name of list()) {
        const id = name.endsWith(TMP) ? name.slice(0, -TMP.length) : name;
        const record = name.endsWith(TMP) ? null : this.load(name);
        const stale = name.endsWith(TMP) ? !running.has(id) : !record || new Date(record.expiresAt) <= now;
        if (!stale) continue;
        fs.rmSync(path.join(root, name), { recursive: true, force: true });
        removed += 1;
      }
      return removed;
    },
  };
}
