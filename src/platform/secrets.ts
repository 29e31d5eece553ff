import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';

// Face templates are biometric data: encrypted at rest with AES-256-GCM. The key comes from the
// environment (DATA_KEY or DATA_KEY_FILE); a first run without one generates it into the data
// folder and warns, because a key next to the database protects only against a stolen database.

export interface Cipher {
  /** A short, non-secret fingerprint of the key, stored beside what it sealed, so a rotation
   *  knows what it has re-encrypted and a wrong key is named instead of failing as garbage. */
  readonly keyId: string;
  /** `aad` (associated data) binds the ciphertext to its context (e.g. the pupil it belongs to):
   *  decrypting with any other context fails. */
  encrypt(plain: Buffer, aad?: string): Buffer;
  decrypt(sealed: Buffer, aad?: string): Buffer;
}

/** The key id: 16 hex digits of a SHA-256 of the key (domain-separated); reveals nothing usable. */
export const dataKeyId = (key: Buffer): string =>
  crypto.createHash('sha256').update('sharesafe data key id\0').update(key).digest('hex').slice(0, 16);

export const parseDataKey = (text: string, source: string): Buffer => parseKey(text.trim(), source);
export const newDataKey = (): string => crypto.randomBytes(32).toString('base64');

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
    keyId: dataKeyId(key),
    encrypt(plain, aad) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      if (aad !== undefined) c.setAAD(Buffer.from(aad));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(sealed, aad) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      if (aad !== undefined) d.setAAD(Buffer.from(aad));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
    },
  };
}

/** SHA-256 hex of a bearer secret: the database never holds the secret itself. */
export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');
export const newToken = (bytes = 32): string => crypto.randomBytes(bytes).toString('base64url');

// Passwords: scrypt (memory-hard) with per-password salt; parameters stored with the hash.
// OWASP's Password Storage Cheat Sheet (2025): N = 2^17 (128 MiB), r = 8, p = 1. Hashes made with
// a smaller N (before issue #12: 2^15) still verify and are re-hashed at the next sign-in.
export const PASSWORD_SCRYPT_N = 2 ** 17;
const SCRYPT = { r: 8, p: 1 };
const maxmem = (N: number) => 256 * N * SCRYPT.r; // twice what scrypt needs (128 * N * r)

export async function hashPassword(password: string, N = PASSWORD_SCRYPT_N): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, N);
  return `scrypt$${N}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [kind, n, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !n || !salt || !hash) return false;
  const N = Number(n);
  // A stored N is data, not a setting: refuse absurd ones rather than allocate gigabytes.
  if (!Number.isInteger(N) || N < 2 ** 10 || N > 2 ** 20) return false;
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), N);
  const expected = Buffer.from(hash, 'base64');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/** True when a stored hash was made with weaker parameters than today's. */
export function needsRehash(stored: string | null, N = PASSWORD_SCRYPT_N): boolean {
  if (!stored) return false;
  const [kind, n] = stored.split('$');
  return kind !== 'scrypt' || Number(n) < N;
}

function scrypt(password: string, salt: Buffer, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, 32, { ...SCRYPT, N, maxmem: maxmem(N) }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
