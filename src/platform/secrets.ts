import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';

// Face templates are biometric data: encrypted at rest with AES-256-GCM. The key comes from the
// environment (DATA_KEY or DATA_KEY_FILE); a first run without one generates it into the data
// folder and warns, because a key next to the database protects only against a stolen database.

export interface Cipher {
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
}

export function loadDataKey(dataKey: string | undefined, dataDir: string, logger: Logger): Buffer {
  if (dataKey) return parseKey(dataKey, 'DATA_KEY');
  const file = path.join(dataDir, 'data.key');
  if (fs.existsSync(file)) return parseKey(fs.readFileSync(file, 'utf8').trim(), file);
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  logger.warn({ file }, 'generated a data key for face templates; set DATA_KEY (or DATA_KEY_FILE) from a secret store and keep a backup');
  return key;
}

function parseKey(text: string, source: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes, base64-encoded`);
  return key;
}

export function createCipher(key: Buffer): Cipher {
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(sealed) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
    },
  };
}

/** SHA-256 hex of a bearer secret: the database never holds the secret itself. */
export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');
export const newToken = (bytes = 32): string => crypto.randomBytes(bytes).toString('base64url');

// Passwords: scrypt (memory-hard) with per-password salt; parameters stored with the hash.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.N);
  return `scrypt$${SCRYPT.N}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [kind, n, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !n || !salt || !hash) return false;
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), Number(n));
  const expected = Buffer.from(hash, 'base64');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

function scrypt(password: string, salt: Buffer, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, 32, { ...SCRYPT, N }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
