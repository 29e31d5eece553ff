import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';

// The audit trail holds ids and counts only; details must never carry names, photos or templates.
export type AuditDetails = Record<string, string | number | boolean | null | number[]>;

export interface AuditEntry {
  id: number;
  at: string;
  actorId: number | null;
  action: string;
  subjectType: string | null;
  subjectId: number | null;
  details: AuditDetails;
}

export interface AuditFilter {
  action?: string;
  actorId?: number;
  subjectType?: string;
  subjectId?: number;
  from?: string;
  to?: string;
  limit?: number;
  beforeId?: number;
}

export interface Audit {
  record(action: string, e: { actorId?: number | null; subjectType?: string; subjectId?: number; details?: AuditDetails }): void;
  list(filter: AuditFilter): AuditEntry[];
}

export function createAudit(db: Db, clock: Clock): Audit {
  const insert = db.prepare(
    'INSERT INTO audit_log (at, actor_id, action, subject_type, subject_id, details) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    record(action, e) {
      insert.run(clock.now().toISOString(), e.actorId ?? null, action, e.subjectType ?? null, e.subjectId ?? null,
        JSON.stringify(e.details ?? {}));
    },
    list(f) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      const add = (sql: string, v: string | number | undefined) => {
        if (v === undefined) return;
        where.push(sql);
        args.push(v);
      };
      add('action LIKE ?', f.action === undefined ? undefined : `${f.action}%`);
      add('actor_id = ?', f.actorId);
      add('subject_type = ?', f.subjectType);
      add('subject_id = ?', f.subjectId);
      add('at >= ?', f.from);
      add('at < ?', f.to);
      add('id < ?', f.beforeId);
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      const rows = db.prepare(sql).all(...args, Math.min(f.limit ?? 100, 500)) as {
        id: number; at: string; actor_id: number | null; action: string; subject_type: string | null; subject_id: number | null; details: string;
      }[];
      return rows.map((r) => ({
        id: r.id, at: r.at, actorId: r.actor_id, action: r.action, subjectType: r.subject_type, subjectId: r.subject_id,
        details: JSON.parse(r.details) as AuditDetails,
      }));
    },
  };
}
