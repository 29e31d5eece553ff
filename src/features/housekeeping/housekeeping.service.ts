import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { AccountsService } from '../accounts/accounts.service';
import type { Audit } from '../audit/audit.service';
import type { RegisterService } from '../register/register.service';

// Data does not outlive its purpose (UK GDPR art. 5(1)(e)): run at start and then every hour.

export const OUTBOX_DAYS = 7;
const DAY = 86_400_000;

export interface HousekeepingDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
  logger: Logger;
  accounts: AccountsService;
  register: RegisterService;
  /** Leavers (and parents left without a child on roll) are erased this long after leaving. */
  retentionMonths: number;
  /** Audit entries older than this are deleted (the only way the audit trail loses entries). */
  auditRetentionMonths: number;
  /** The development outbox (no SMTP_URL): e-mails written there are kept OUTBOX_DAYS at most. */
  outboxDir: string | null;
}

export interface HousekeepingReport {
  sessions: number;
  apiTokens: number;
  links: number;
  parentsDisabled: number;
  pupilsErased: number;
  parentsErased: number;
  outboxDeleted: number;
  auditDeleted: number;
}

/** `months` calendar months before `now` (31 March minus one month is 3 March, as Date does). */
export function monthsBefore(now: Date, months: number): string {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString();
}

export type Housekeeping = ReturnType<typeof createHousekeeping>;

export function createHousekeeping(d: HousekeepingDeps) {
  const deleteOldAudit = d.db.transaction((cutoff: string): number => {
    // The trigger audit_log_append_only_d refuses deletes unless this gate is open: it is open only
    // inside this transaction.
    d.db.prepare('INSERT INTO audit_retention_gate (opened_at) VALUES (?)').run(d.clock.now().toISOString());
    const n = d.db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff).changes;
    d.db.prepare('DELETE FROM audit_retention_gate').run();
    return n;
  });

  function retireParents(): number {
    let n = 0;
    for (const p of d.register.parentsWithoutChildrenOnRoll()) {
      d.accounts.setStatus(p.userId, 'disabled', null, 'no_children_on_roll');
      // The parent's clock is their last child's: both are erased at the same time.
      d.accounts.repo.setRetiredAt(p.userId, p.lastLeftAt ?? d.clock.now().toISOString());
      n += 1;
    }
    return n;
  }

  function cleanOutbox(): number {
    if (!d.outboxDir || !fs.existsSync(d.outboxDir)) return 0;
    const cutoff = d.clock.now().getTime() - OUTBOX_DAYS * DAY;
    let n = 0;
    for (const name of fs.readdirSync(d.outboxDir)) {
      if (!name.endsWith('.eml')) continue;
      const file = path.join(d.outboxDir, name);
      if (fs.statSync(file).mtimeMs < cutoff) {
        fs.rmSync(file, { force: true });
        n += 1;
      }
    }
    return n;
  }

  return {
    run(): HousekeepingReport {
      const now = d.clock.now();
      const cutoff = monthsBefore(now, d.retentionMonths);
      const credentials = d.accounts.deleteExpiredCredentials();
      const parentsDisabled = retireParents();
      const leavers = d.register.leaversBefore(cutoff);
      for (const id of leavers) d.register.erasePupil(id, null, 'retention');
      const parents = d.register.retiredParentsBefore(cutoff);
      for (const id of parents) d.register.eraseAccount(id, null, 'retention');
      const report: HousekeepingReport = {
        ...credentials, parentsDisabled, pupilsErased: leavers.length, parentsErased: parents.length,
        outboxDeleted: cleanOutbox(), auditDeleted: deleteOldAudit(monthsBefore(now, d.auditRetentionMonths)),
      };
      if (report.pupilsErased || report.parentsErased || report.auditDeleted) {
        d.audit.record('retention.ran', { details: { pupilsErased: report.pupilsErased, parentsErased: report.parentsErased, auditDeleted: report.auditDeleted } });
      }
      return report;
    },
  };
}
