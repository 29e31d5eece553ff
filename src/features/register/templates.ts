import { AppError } from '../../platform/errors';
import type { Cipher } from '../../platform/secrets';

// Face templates (descriptor and thumbnail) are sealed with AES-256-GCM, bound to their pupil and
// field by associated data: a template copied onto another pupil's row (or a thumbnail swapped
// for a descriptor) no longer decrypts. Each row stores the id of the key that sealed it.

export type TemplateField = 'descriptor' | 'thumbnail';

export const templateAad = (pupilId: number, field: TemplateField): string => `sharesafe/reference_faces/${field}/pupil/${pupilId}`;

export const sealTemplate = (cipher: Cipher, pupilId: number, field: TemplateField, plain: Buffer): Buffer =>
  cipher.encrypt(plain, templateAad(pupilId, field));

export const templateUnreadable = () =>
  new AppError('template_unreadable', 500, 'A stored reference photo cannot be read with the current data key. Ask whoever runs ShareSafe to check DATA_KEY.');

/** Opens a sealed template of `pupilId`; throws template_unreadable when the key id differs or the
 *  ciphertext does not belong to this pupil and field. key_id NULL: sealed before migration 005. */
export function openTemplate(cipher: Cipher, row: { pupilId: number; keyId: string | null }, field: TemplateField, sealed: Buffer): Buffer {
  if (row.keyId !== null && row.keyId !== cipher.keyId) throw templateUnreadable();
  try {
    return row.keyId === null ? cipher.decrypt(sealed) : cipher.decrypt(sealed, templateAad(row.pupilId, field));
  } catch {
    throw templateUnreadable();
  }
}
