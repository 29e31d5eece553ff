import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { srcDir } from './paths';

export type Db = Database.Database;

const MIGRATIONS_DIR = path.join(srcDir, 'platform', 'migrations');

/** Opens (or creates) the database with WAL and foreign keys, and applies pending migrations. */
export function openDb(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted face templates must be gone, not left in free pages: overwrite deleted content.
  db.pragma('secure_delete = ON');
  migrate(db);
  return db;
}

/** Numbered SQL files, applied in order, each inside a transaction, recorded in schema_migrations. */
export function migrate(db: Db, dir = MIGRATIONS_DIR): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set(db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
  const files = fs.readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(file, new Date().toISOString());
    })();
    applied.push(file);
  }
  return applied;
}
