import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { createContext, outboxDir, type AppContext } from '../../src/context';
import type { Role } from '../../src/features/accounts/accounts.repo';
import { unavailableEngine } from '../../src/features/faces/unavailable-engine';
import type { FaceEngine } from '../../src/features/faces/types';
import { ManualClock } from '../../src/platform/clock';
import { openDb } from '../../src/platform/db';
import { silentLogger, type Logger } from '../../src/platform/logger';
import { createMailer, type Mailer } from '../../src/platform/mailer';
import { createCipher } from '../../src/platform/secrets';

export interface TestWorld {
  ctx: AppContext;
  app: Express;
  clock: ManualClock;
  config: Config;
}

/** A fresh, migrated database in a temp folder and the real services around it. Pass the real
 *  face engine (tests/helpers/engine.ts) for tests that look at faces. */
export function createTestWorld(opts: { engine?: FaceEngine; mailer?: Mailer; config?: Parameters<typeof testConfig>[0]; clock?: ManualClock; logger?: Logger } = {}): TestWorld {
  const config = testConfig(opts.config);
  const clock = opts.clock ?? new ManualClock('2026-03-02T09:00:00Z');
  const db = openDb(path.join(config.DATA_DIR, 'test.db'));
  const mailer = opts.mailer ?? createMailer({ from: config.MAIL_FROM, outboxDir: outboxDir(config), logger: silentLogger });
  const ctx = createContext({
    config, db, clock, logger: opts.logger ?? silentLogger, mailer,
    engine: opts.engine ?? unavailableEngine('not started in this test'),
    cipher: createCipher(Buffer.from(config.DATA_KEY!, 'base64')),
    // 2^14 instead of OWASP's 2^17 keeps a sign-in at ~0.1 s on CI; tests/accounts checks the default.
    passwordScryptN: 2 ** 14,
  });
  return { ctx, app: createApp(ctx), clock, config };
}

export interface SignedIn {
  id: number;
  agent: request.Agent;
  csrf: string;
  email: string;
}

let counter = 0;

/** Creates a user with a password and returns a supertest agent signed in as them (cookie + CSRF). */
export async function signIn(world: TestWorld, role: Role, overrides: { email?: string; name?: string } = {}): Promise<SignedIn> {
  counter += 1;
  const email = overrides.email ?? `${role}${counter}@example.test`;
  const { user } = world.ctx.accounts.createUserRecord({ email, name: overrides.name ?? `${role} ${counter}`, role }, null);
  await world.ctx.accounts.setPassword(user.id, 'correct horse battery');
  const agent = request.agent(world.app);
  const res = await agent.post('/api/auth/login').send({ email, password: 'correct horse battery' }).expect(200);
  return { id: user.id, agent, csrf: res.body.csrfToken as string, email };
}

/** GETs a binary body (a safe copy, a zip) as a Buffer, expecting 200. */
export async function downloadBinary(user: SignedIn, url: string): Promise<Buffer> {
  const res = await user.agent.get(url).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  }).expect(200);
  return res.body as Buffer;
}
