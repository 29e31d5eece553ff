import type { Db } from '../../platform/db';

// The school's photo guidance, editable by the office, kept in settings['photo_guidance'].
// The default follows the school's photo policy in plain words for parents.
export const GUIDANCE_KEY = 'photo_guidance';

export const DEFAULT_GUIDANCE = [
  'You are welcome to take photos and videos of your own children at school events.',
  'Please do not publish or share images that include other children (on social media, in messaging groups or anywhere else) unless their parents have agreed.',
  'Before you share a photo, run it through the ShareSafe checker: it blurs the faces of children whose parents have not given consent.',
  'If you are unsure, ask the school office before sharing.',
].join('\n\n');

export interface Guidance {
  text: string;
  isDefault: boolean;
}

export function guidanceStore(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const del = db.prepare('DELETE FROM settings WHERE key = ?');
  return {
    read(): Guidance {
      const row = get.get(GUIDANCE_KEY);
      return row ? { text: row.value, isDefault: false } : { text: DEFAULT_GUIDANCE, isDefault: true };
    },
    /** Stores the text; null goes back to the default. */
    write(text: string | null): Guidance {
      if (text === null) del.run(GUIDANCE_KEY);
      else put.run(GUIDANCE_KEY, text);
      return this.read();
    },
  };
}

export type GuidanceStore = ReturnType<typeof guidanceStore>;

/** Paragraphs are separated by blank lines; single newlines inside one stay line breaks. */
export const guidanceParagraphs = (text: string): string[] =>
  text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
