import type { Box } from '../faces/types';

// The pixels a parent may get back: for each weak detection ("may be a face", under
// LIKELY_FACE_SCORE, never matched) the small crop of its region from the photo as uploaded.
// Originals never touch disk, and the stored safe copy is already blurred there, so these crops
// live in this process's memory only: deleted with the check, at its expiry, and lost on a
// restart (the parent is then told to check the photo again). A byte budget bounds the memory;
// past it the oldest crops go first, with the same answer for the parent.

export interface RevealCrop {
  /** Where the crop sits in the safe copy. */
  rect: Box;
  /** The original pixels of `rect`, JPEG-encoded (measured on the sample photos: ~42 KB a
   *  region against ~860 KB of raw RGB; docs/performance.md). */
  jpeg: Buffer;
}

interface Entry {
  expiresAt: number;
  bytes: number;
  crops: Map<string, RevealCrop>;
}

/** 64 MB holds ~1,500 weak regions at the measured ~42 KB each (docs/performance.md). */
export const REVEAL_CROP_BUDGET_BYTES = 64 * 1024 * 1024;

export interface RevealCrops {
  put(checkId: string, expiresAt: Date, crops: Map<string, RevealCrop>): void;
  get(checkId: string, photoIndex: number, faceIndex: number, now: Date): RevealCrop | null;
  /** The crop is used up (revealed) or no longer wanted. */
  drop(checkId: string, photoIndex?: number, faceIndex?: number): void;
  /** Forgets the crops of expired checks. */
  sweep(now: Date): void;
  bytes(): number;
}

export const cropKey = (photoIndex: number, faceIndex: number) => `${photoIndex}:${faceIndex}`;

export function createRevealCrops(budget = REVEAL_CROP_BUDGET_BYTES): RevealCrops {
  // A Map iterates in insertion order: the first entries are the oldest.
  const entries = new Map<string, Entry>();
  let total = 0;

  const remove = (checkId: string) => {
    const e = entries.get(checkId);
    if (!e) return;
    total -= e.bytes;
    entries.delete(checkId);
  };

  return {
    put(checkId, expiresAt, crops) {
      if (crops.size === 0) return;
      remove(checkId);
      let bytes = 0;
      for (const c of crops.values()) bytes += c.jpeg.length;
      if (bytes > budget) return;
      for (const id of entries.keys()) {
        if (total + bytes <= budget) break;
        remove(id);
      }
      entries.set(checkId, { expiresAt: expiresAt.getTime(), bytes, crops });
      total += bytes;
    },
    get(checkId, photoIndex, faceIndex, now) {
      const e = entries.get(checkId);
      if (!e) return null;
      if (e.expiresAt <= now.getTime()) {
        remove(checkId);
        return null;
      }
      return e.crops.get(cropKey(photoIndex, faceIndex)) ?? null;
    },
    drop(checkId, photoIndex, faceIndex) {
      const e = entries.get(checkId);
      if (!e) return;
      if (photoIndex === undefined || faceIndex === undefined) return remove(checkId);
      const key = cropKey(photoIndex, faceIndex);
      const crop = e.crops.get(key);
      if (!crop) return;
      e.crops.delete(key);
      e.bytes -= crop.jpeg.length;
      total -= crop.jpeg.length;
      if (e.crops.size === 0) remove(checkId);
    },
    sweep(now) {
      for (const [id, e] of entries) if (e.expiresAt <= now.getTime()) remove(id);
    },
    bytes: () => total,
  };
}
