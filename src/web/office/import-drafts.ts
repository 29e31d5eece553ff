import crypto from 'node:crypto';
import type { Clock } from '../../platform/clock';

export interface ImportDraft {
  userId: number;
  filename: string;
  text: string;
  expiresAt: number;
}

const TTL_MS = 30 * 60 * 1000;
const MAX_DRAFTS = 20;

/** Uploaded CSVs between the preview and "Import now", so the office need not upload twice.
 *  In memory and short-lived: a restart only means uploading again. Bound to the uploader. */
export function importDrafts(clock: Clock) {
  const drafts = new Map<string, ImportDraft>();
  const now = () => clock.now().getTime();
  const sweep = () => {
    for (const [id, d] of drafts) if (d.expiresAt <= now()) drafts.delete(id);
    // Oldest first (insertion order): a flood of previews cannot grow memory without bound.
    while (drafts.size >= MAX_DRAFTS) drafts.delete(drafts.keys().next().value!);
  };
  return {
    save(userId: number, filename: string, text: string): string {
      sweep();
      const id = crypto.randomBytes(18).toString('base64url');
      drafts.set(id, { userId, filename, text, expiresAt: now() + TTL_MS });
      return id;
    },
    get(id: string, userId: number): ImportDraft | undefined {
      const d = drafts.get(id);
      return d && d.userId === userId && d.expiresAt > now() ? d : undefined;
    },
    discard(id: string) {
      drafts.delete(id);
    },
  };
}

export type ImportDrafts = ReturnType<typeof importDrafts>;
