import fs from 'node:fs';
import sharp from 'sharp';
import type { Clock } from '../../platform/clock';
import { AppError, badRequest, notFound } from '../../platform/errors';
import type { Audit } from '../audit/audit.service';
import { encodeSafeCopy } from '../faces';
import { applyMasks, decodeSafeCopy, type Mask, type MaskStyle } from '../faces/masks';
import type { RawPixels } from '../faces/pixelate';
import type { Box } from '../faces/types';
import type { CheckStore, StoredCheck } from './check-store';
import { mayReveal, type PhotoReport } from './checks.presenter';
import type { RevealCrops } from './reveal-crops';

// The parent's review before sharing: blur more (masks over anything, applied by the server to
// a new copy made from the stored safe copy, which is already blurred: a mask only ever takes
// detail away), and put back a weak "may be a face" region the parent has looked at and
// confirmed is not a person (from the crop kept in memory, reveal-crops.ts). A detected face is
// never put back, and nothing another blur covers is ever restored.

export interface ReviewDeps {
  store: CheckStore;
  crops: RevealCrops;
  audit: Audit;
  clock: Clock;
}

export const MAX_MASKS_PER_PHOTO = 40;
/** Enlarged preview of a region before a reveal: long side in pixels. */
const PREVIEW_SIDE = 480;

export type ReviewService = ReturnType<typeof createReviewService>;

export function createReviewService(d: ReviewDeps) {
  // One change at a time per check: two parallel edits would each start from the old copy.
  const locks = new Map<string, Promise<unknown>>();
  function serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = locks.get(id) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    locks.set(id, next);
    void next.finally(() => { if (locks.get(id) === next) locks.delete(id); }).catch(() => undefined);
    return next;
  }

  function load(userId: number, id: string, index: number): { record: StoredCheck; photo: PhotoReport; file: string } {
    const record = d.store.load(id);
    if (!record || record.ownerId !== userId || new Date(record.expiresAt) <= d.clock.now()) throw notFound('check');
    const photo = record.photos.find((p): p is PhotoReport => p.index === index && p.ok);
    const file = d.store.safeCopyPath(id, index);
    if (!photo || !file) throw notFound('photo');
    return { record, photo, file };
  }

  async function rewrite(record: StoredCheck, photo: PhotoReport, pixels: RawPixels) {
    photo.version = (photo.version ?? 0) + 1;
    d.store.replaceSafeCopy(record, photo.index, await encodeSafeCopy(pixels, []));
  }

  function revealable(userId: number, id: string, index: number, face: number) {
    const loaded = load(userId, id, index);
    const f = loaded.photo.faces[face];
    if (!f || !mayReveal(f, loaded.record.mode)) {
      throw new AppError('not_revealable', 409, 'Only a place that may be a face, blurred to be safe, can be put back. Faces stay blurred.');
    }
    const crop = d.crops.get(id, index, face, d.clock.now());
    if (!crop) {
      throw new AppError('reveal_unavailable', 410, 'This place can no longer be put back here. Check the photo again to see it unblurred first.');
    }
    return { ...loaded, face: f, crop };
  }

  return {
    /** Throws (409 a face, 410 no longer possible, 404 not yours) unless this place may be put back. */
    assertRevealable(userId: number, id: string, index: number, face: number): void {
      revealable(userId, id, index, face);
    },

    /** Adds masks to a photo's safe copy; the style applies to this photo's added masks. */
    addMasks(userId: number, id: string, index: number, masks: Mask[], style: MaskStyle) {
      return serially(id, async () => {
        const { record, photo, file } = load(userId, id, index);
        const inside = masks.map((m) => clip(m, photo.width, photo.height)).filter((m): m is Mask => m !== null);
        if (inside.length === 0) throw badRequest('Draw each blur over the photo.');
        const added = [...(photo.added ?? []), ...inside];
        if (added.length > MAX_MASKS_PER_PHOTO) throw badRequest(`At most ${MAX_MASKS_PER_PHOTO} added blurs per photo.`);
        const pixels = await decodeSafeCopy(fs.readFileSync(file));
        await applyMasks(pixels, inside, style);
        photo.added = added;
        photo.maskStyle = style;
        await rewrite(record, photo, pixels);
        d.audit.record('check.blur_added', { actorId: userId, details: { photos: 1, masks: inside.length } });
        return record;
      });
    },

    /** The weak region enlarged, from the original pixels, for the parent to look at. */
    async regionPreview(userId: number, id: string, index: number, face: number): Promise<Buffer> {
      const { crop } = revealable(userId, id, index, face);
      const long = Math.max(crop.rect.width, crop.rect.height);
      const scale = Math.max(1, PREVIEW_SIDE / long);
      return sharp(crop.jpeg).resize(Math.round(crop.rect.width * scale), Math.round(crop.rect.height * scale), { kernel: 'lanczos3' })
        .jpeg({ quality: 90 }).toBuffer();
    },

    /** Puts a weak region back, except where any other blur (a face, an added mask) overlaps it. */
    revealRegion(userId: number, id: string, index: number, face: number) {
      return serially(id, async () => {
        const { record, photo, file, face: f, crop } = revealable(userId, id, index, face);
        const pixels = await decodeSafeCopy(fs.readFileSync(file));
        const { data } = await sharp(crop.jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const others: Box[] = [
          ...photo.faces.filter((o, i) => i !== face && o.blurred && !o.revealed && o.region).map((o) => o.region!),
          ...(photo.added ?? []),
        ];
        pasteExcept(pixels, crop.rect, data, others);
        f.blurred = false;
        f.revealed = true;
        photo.blurredRegions = withoutOne(photo.blurredRegions, f.region!);
        photo.alreadySafe = false;
        await rewrite(record, photo, pixels);
        d.crops.drop(id, index, face);
        d.audit.record('check.region_revealed', { actorId: userId, details: { photos: 1, regions: 1 } });
        return record;
      });
    },
  };
}

function clip(m: Mask, w: number, h: number): Mask | null {
  const x = Math.max(0, Math.floor(m.x));
  const y = Math.max(0, Math.floor(m.y));
  const right = Math.min(w, Math.ceil(m.x + m.width));
  const bottom = Math.min(h, Math.ceil(m.y + m.height));
  if (right - x < 2 || bottom - y < 2) return null;
  return { shape: m.shape, x, y, width: right - x, height: bottom - y };
}

const overlaps = (px: number, py: number, b: Box) => px >= b.x && px < b.x + b.width && py >= b.y && py < b.y + b.height;

/** Copies the crop's pixels into place, skipping every pixel that lies in another blur's box. */
function pasteExcept(img: RawPixels, rect: Box, rgb: Buffer, others: Box[]): void {
  const near = others.filter((b) => b.x < rect.x + rect.width && b.x + b.width > rect.x && b.y < rect.y + rect.height && b.y + b.height > rect.y);
  const c = img.channels;
  for (let y = 0; y < rect.height; y += 1) {
    const py = rect.y + y;
    if (py >= img.height) break;
    for (let x = 0; x < rect.width; x += 1) {
      const px = rect.x + x;
      if (px >= img.width || near.some((b) => overlaps(px, py, b))) continue;
      const at = (py * img.width + px) * c;
      const from = (y * rect.width + x) * 3;
      img.data[at] = rgb[from]!;
      img.data[at + 1] = rgb[from + 1]!;
      img.data[at + 2] = rgb[from + 2]!;
    }
  }
}

function withoutOne(regions: Box[], region: Box): Box[] {
  const i = regions.findIndex((r) => r.x === region.x && r.y === region.y && r.width === region.width && r.height === region.height);
  return i < 0 ? regions : [...regions.slice(0, i), ...regions.slice(i + 1)];
}
