import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { Db } from '../../src/platform/db';
import { silentLogger } from '../../src/platform/logger';
import { createMailer, type Mailer } from '../../src/platform/mailer';
import type { SignedIn, TestWorld } from '../helpers/context';

// Register rows by direct SQL: these tests are about events, not about the register's API.
let seq = 0;

export function addPupil(db: Db, o: Partial<{ firstName: string; lastName: string; className: string; yearGroup: string; status: 'on_roll' | 'left' }> = {}): number {
  seq += 1;
  const now = '2026-01-01T00:00:00.000Z';
  return Number(db.prepare(`INSERT INTO pupils (first_name, last_name, class_name, year_group, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(o.firstName ?? `Pupil${seq}`, o.lastName ?? 'Test', o.className ?? 'Oak', o.yearGroup ?? 'Y3',
    o.status ?? 'on_roll', now, now).lastInsertRowid);
}

export function addGuardian(db: Db, userId: number, pupilId: number): void {
  db.prepare("INSERT INTO guardians (user_id, pupil_id, created_at) VALUES (?, ?, '2026-01-01T00:00:00.000Z')").run(userId, pupilId);
}

export function addPhotoConsent(db: Db, pupilId: number, status: 'granted' | 'refused' | 'not_asked', reviewOn: string | null): void {
  // One person named on a paper form, as the office records it (consent_positions, migration 003).
  db.prepare(`INSERT OR IGNORE INTO consent_people (pupil_id, kind, name, created_at)
    VALUES (?, 'named', 'Parent, paper form', '2025-09-01T00:00:00.000Z')`).run(pupilId);
  const person = (db.prepare("SELECT id FROM consent_people WHERE pupil_id = ? AND kind = 'named'").get(pupilId) as { id: number }).id;
  const position = status === 'granted' ? 'consents' : status === 'refused' ? 'objects' : 'withdrawn';
  db.prepare(`INSERT INTO consent_positions (pupil_id, person_id, consent, position, source, given_on, review_on, recorded_at)
    VALUES (?, ?, 'photo', ?, 'paper', '2025-09-01', ?, '2025-09-01T00:00:00.000Z')`).run(pupilId, person, position, status === 'granted' ? reviewOn : null);
}

/** A parent account that can receive mail (no password needed to be a recipient). */
export function addParent(world: TestWorld, name: string): { id: number; email: string } {
  seq += 1;
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${seq}@example.test`;
  const { user } = world.ctx.accounts.createUserRecord({ email, name, role: 'parent' }, null);
  return { id: user.id, email };
}

export async function createEvent(user: SignedIn, body: Record<string, unknown>) {
  const res = await user.agent.post('/api/events').set('x-csrf-token', user.csrf)
    .send({ name: 'Sports day', startsAt: '2026-03-10T13:00:00Z', place: 'School field', ...body });
  if (res.status !== 201) throw new Error(`create event: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; participantCount: number; [k: string]: unknown };
}

export interface ReceivedMail {
  to: string[];
  /** The raw message with quoted-printable soft breaks and escapes undone (good enough for ASCII text). */
  text: string;
}

/** A real SMTP server on loopback. `reply(address, n)` may return an SMTP code to reject the n-th
 *  RCPT TO for that address (e.g. 451 then accept, or 550 always). */
export async function startSmtp(reply: (address: string, n: number) => number | null = () => null) {
  const messages: ReceivedMail[] = [];
  const seen = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const n = (seen.get(address.address) ?? 0) + 1;
      seen.set(address.address, n);
      const code = reply(address.address, n);
      if (!code) return callback();
      callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), text: decodeQp(Buffer.concat(chunks).toString('latin1')) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-outbox-'));
  const mailer: Mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'School <office@school.test>', outboxDir: outbox, logger: silentLogger });
  return {
    mailer,
    messages,
    to: (email: string) => messages.filter((m) => m.to.includes(email)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const decodeQp = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
