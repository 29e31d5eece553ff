// An Analysis as it travels through Redis from a worker process to the school's service: JSON,
// each descriptor as base64 of its 128 float32s (exact, and a third of the size of a number
// list). Checked with zod on arrival (a border): anything malformed or non-finite fails the
// photo closed, never passes as "no faces".
import { z } from 'zod';
import { engineFailed } from '../../platform/errors';
import type { Analysis, Box, Face } from './types';

const DESCRIPTOR_BYTES = 128 * 4;

const box = z.object({ x: z.number().finite(), y: z.number().finite(), width: z.number().finite().nonnegative(), height: z.number().finite().nonnegative() });
const wireAnalysis = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  format: z.enum(['jpeg', 'png', 'webp', 'heic']),
  faces: z.array(z.object({
    box, blurRegion: box,
    score: z.number().finite(),
    descriptor: z.string().nullable(),
  })),
  timings: z.record(z.string(), z.number()),
});
export type WireAnalysis = z.infer<typeof wireAnalysis>;

export function toWire(a: Analysis): WireAnalysis {
  return {
    width: a.width, height: a.height, format: a.format, timings: a.timings,
    faces: a.faces.map((f) => ({
      box: f.box, blurRegion: f.blurRegion, score: f.score,
      descriptor: f.descriptor ? Buffer.from(f.descriptor.buffer, f.descriptor.byteOffset, f.descriptor.byteLength).toString('base64') : null,
    })),
  };
}

export function fromWire(value: unknown): Analysis {
  const parsed = wireAnalysis.safeParse(value);
  if (!parsed.success) throw engineFailed();
  const faces: Face[] = parsed.data.faces.map((f) => ({ box: f.box as Box, blurRegion: f.blurRegion as Box, score: f.score, descriptor: f.descriptor === null ? null : descriptorFrom(f.descriptor) }));
  return { ...parsed.data, faces };
}

function descriptorFrom(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== DESCRIPTOR_BYTES) throw engineFailed();
  const out = new Float32Array(128);
  new Uint8Array(out.buffer).set(bytes);
  if (!out.every(Number.isFinite)) throw engineFailed();
  return out;
}
