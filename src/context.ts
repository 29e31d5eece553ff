import path from 'node:path';
import type { Config } from './config';
import { createAccountsService, type AccountsService } from './features/accounts/accounts.service';
import { createAudit, type Audit } from './features/audit/audit.service';
import type { FaceEngine } from './features/faces/types';
import type { Clock } from './platform/clock';
import type { Db } from './platform/db';
import type { Logger } from './platform/logger';
import type { Mailer } from './platform/mailer';
import type { Cipher } from './platform/secrets';

/** Everything the features need, built once by main.ts (or a test) and handed to createApp. */
export interface Infrastructure {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  engine: FaceEngine;
  mailer: Mailer;
  cipher: Cipher;
}

export interface AppContext extends Infrastructure {
  audit: Audit;
  accounts: AccountsService;
  /** Starts sweepers and schedulers; returns functions that stop them. */
  startBackground(): Array<() => Promise<void>>;
}

/** The composition root for services: each feature's service gets only what it needs. */
export function createContext(infra: Infrastructure): AppContext {
  const { config, db, clock, mailer } = infra;
  const audit = createAudit(db, clock);
  const accounts = createAccountsService({
    db, clock, audit, mailer, publicUrl: config.publicUrl, schoolName: config.SCHOOL_NAME, sessionDays: config.SESSION_DAYS,
  });
  const startBackground = () => {
    const stops: Array<() => Promise<void>> = [];
    return stops;
  };
  return { ...infra, audit, accounts, startBackground };
}

export const outboxDir = (config: Config) => path.join(config.DATA_DIR, 'outbox');
