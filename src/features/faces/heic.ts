// HEIC/HEIF support. sharp's prebuilt libvips cannot decode HEVC, so heic-decode (libheif in
// wasm) decodes it. libheif runs synchronously for a second or more on a phone photo, so it runs
// in a short-lived worker thread: the HTTP thread must never block on it.
import { Worker } from 'node:worker_threads';

/** Major brands of HEVC-coded HEIF (iPhone photos). AVIF ('avif', 'avis') is deliberately
 *  absent: it is HEIF too but AV1-coded, and is not a format this service accepts. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

export function isHeic(buf: Buffer): boolean {
  if (buf.length < 12 || buf.toString('latin1', 4, 8) !== 'ftyp') return false;
  const major = buf.toString('latin1', 8, 12);
  if (!HEIC_BRANDS.has(major)) return false;
  // 'mif1' is a generic HEIF brand also used by AVIF files; the compatible brands tell them apart.
  const boxSize = buf.readUInt32BE(0);
  const brands = buf.toString('latin1', 16, Math.min(boxSize, 64, buf.length));
  return !(major.startsWith('mif') || major.startsWith('msf')) || !brands.includes('avif') || brands.includes('heic');
}

/** The largest image size declared in 'ispe' (image spatial extent) properties, read without
 *  decoding anything, so a decompression bomb is refused before libheif allocates pixels.
 *  The largest is the safe choice: grid images declare their tiles and the full canvas. */
export function declaredHeicSize(buf: Buffer): { width: number; height: number } | null {
  let best: { width: number; height: number } | null = null;
  const limit = Math.min(buf.length, 1 << 20);
  for (let at = buf.indexOf('ispe', 0, 'latin1'); at >= 4 && at + 16 <= limit; at = buf.indexOf('ispe', at + 4, 'latin1')) {
    const width = buf.readUInt32BE(at + 8);
    const height = buf.readUInt32BE(at + 12);
    if (!best || width * height > best.width * best.height) best = { width, height };
  }
  return best;
}

/** Decoded HEIC: width * height * 4 bytes, RGBA. */
export interface RgbaPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const decode = require(workerData.heicDecode);
decode({ buffer: new Uint8Array(workerData.buffer) })
  .then(({ width, height, data }) => parentPort.postMessage({ width, height, data }, [data.buffer]))
  .catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

/** Decodes the primary image to RGBA. libheif applies the container's rotation and mirroring,
 *  so the pixels come out oriented. Rejects with a plain Error on corrupt input. */
export function decodeHeic(buf: Buffer, timeoutMs = 60_000): Promise<RgbaPixels> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { heicDecode: require.resolve('heic-decode'), buffer: buf },
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    const timer = setTimeout(() => void worker.terminate(), timeoutMs);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    worker.once('message', (msg: { error?: string; width: number; height: number; data: Uint8ClampedArray }) =>
      finish(() => (msg.error ? reject(new Error(msg.error)) : resolve({
        data: new Uint8Array(msg.data.buffer, msg.data.byteOffset, msg.data.length),
        width: msg.width,
        height: msg.height,
      }))),
    );
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`HEIC decoder exited (${code})`))));
  });
}

// A check decodes each photo twice, for detection and for the safe copy, from the same upload
// Buffer. For JPEG that is cheap (shrink-on-load); for HEIC the wasm decode takes seconds, so its
// result is shared while that Buffer lives. Consumers only read the pixels (sharp raw input).
const decoded = new WeakMap<Buffer, Promise<RgbaPixels>>();

/** Drops the shared decode of this upload (a 12 MP photo is 48 MB of RGBA) as soon as its photo
 *  is done, rather than when the request's Buffers are collected: a 20-photo check would
 *  otherwise hold every decoded photo until it ends. */
export function releaseDecodedHeic(buf: Buffer): void {
  decoded.delete(buf);
}

/** Test hook: whether a decode of this upload is still held. */
export const heicDecodeHeld = (buf: Buffer): boolean => decoded.has(buf);

export function decodeHeicOnce(buf: Buffer): Promise<RgbaPixels> {
  let pending = decoded.get(buf);
  if (!pending) {
    pending = decodeHeic(buf);
    decoded.set(buf, pending);
  }
  return pending;
}
