// Detector variants measured on an eval set without the rest of the service (docs/accuracy.md,
// issue 9): which true faces the blur regions of ALL detections cover (every detection is
// blurred unless it matches a consenting pupil, so a face missed here is exposed in the eval),
// by size, pose, and for faces touching the photo's border, plus detection time per photo.
// Models run in this process with the threads one worker gets. Reads --dataset at bench time
// only (never copied). Usage:
//   npx tsx bench/probe-detect.ts --dataset ../shared/eval [--variants base,no-rf-fine,...]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { blurRegionFor } from '../src/features/faces/blur-geometry';
import { detectFaces, detectWithYuNet, mergeDetections, withoutWeakContainers, type DetectOptions, type Detection, type Detectors } from '../src/features/faces/detect-faces';
import { DEFAULT_RETINA_MIN_CONFIDENCE, DEFAULT_YUNET_MIN_CONFIDENCE } from '../src/features/faces/engine';
import { loadRetinaFace, runAtScale } from '../src/features/faces/retinaface';
import type { RawImage } from '../src/features/faces/raw-image';
import { loadFaceApi } from '../src/features/faces/tf-backend';
import type { Box } from '../src/features/faces/types';
import { loadYuNet, runYuNet } from '../src/features/faces/yunet';
import { loadManifest } from './eval-manifest';
import { isCovered, rectFromXywh, sizeBucket, Tally } from './eval-metrics';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, variants: { type: 'string' }, threads: { type: 'string' }, limit: { type: 'string' } } });
const dir = path.resolve(values.dataset ?? path.join(__dirname, '../../shared/eval'));
const variants = (values.variants ?? 'base').split(',');
const threads = Number(values.threads ?? os.availableParallelism());

const opts: DetectOptions = {
  minConfidence: 0.25, tileMinConfidence: 0.25, tiles: true,
  retinaMinConfidence: DEFAULT_RETINA_MIN_CONFIDENCE, canvasSide: 2048, yunetMinConfidence: DEFAULT_YUNET_MIN_CONFIDENCE,
};

type Variant = (m: Detectors, image: RawImage) => Promise<Detection[]>;

const asDet = (fromTile: boolean) => (d: { box: Box; score: number }): Detection => ({ box: d.box, score: d.score, describeBox: d.box, fromTile });

/** As detectFaces, but RetinaFace's fine pass only where it magnifies (scale >= 1): below that,
 *  YuNet has already examined every pixel at native size. */
const noRfFine: Variant = async (m, image) => {
  const long = Math.max(image.width, image.height);
  const fine = Math.min(2, opts.canvasSide / long);
  const found: Detection[] = [];
  if (fine >= 1) return detectFaces(m, image, opts);
  found.push(...(await runAtScale(m.retina!, image, 320 / long, opts.retinaMinConfidence)).map(asDet(false)));
  found.push(...(await detectWithYuNet(m.yunet!, image, opts.yunetMinConfidence)).map(asDet(true)));
  return mergeDetections(withoutWeakContainers(found));
};

function padded(image: RawImage, pad: number, mode: 'zero' | 'reflect'): RawImage {
  const w = image.width + 2 * pad;
  const h = image.height + 2 * pad;
  const out = new Uint8Array(w * h * 3);
  const refl = (v: number, n: number) => { let r = v < 0 ? -v : v; if (r > n - 1) r = 2 * (n - 1) - r; return Math.max(0, Math.min(n - 1, r)); };
  for (let y = 0; y < h; y += 1) {
    const sy = y - pad;
    const inY = sy >= 0 && sy < image.height;
    if (mode === 'zero' && !inY) continue;
    const ry = refl(sy, image.height);
    for (let x = 0; x < w; x += 1) {
      const sx = x - pad;
      const inX = sx >= 0 && sx < image.width;
      if (mode === 'zero' && !inX) continue;
      const s = (ry * image.width + refl(sx, image.width)) * 3;
      const o = (y * w + x) * 3;
      out[o] = image.data[s]!; out[o + 1] = image.data[s + 1]!; out[o + 2] = image.data[s + 2]!;
    }
  }
  return { data: out, width: w, height: h };
}

const withPad = (mode: 'zero' | 'reflect', share: number): Variant => async (m, image) => {
  const pad = Math.max(16, Math.round(share * Math.max(image.width, image.height)));
  // The same RetinaFace magnification as without padding: only the border differs.
  const long = Math.max(image.width, image.height);
  const found = await detectFaces(m, padded(image, pad, mode), { ...opts, canvasSide: opts.canvasSide * (long + 2 * pad) / long });
  return found.flatMap((d) => {
    const x0 = Math.max(0, d.box.x - pad); const y0 = Math.max(0, d.box.y - pad);
    const x1 = Math.min(image.width, d.box.x - pad + d.box.width); const y1 = Math.min(image.height, d.box.y - pad + d.box.height);
    if (x1 <= x0 || y1 <= y0) return [];
    const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    return [{ ...d, box, describeBox: box }];
  });
};

/** The image turned by 90, 180 or 270 degrees clockwise. */
function rotated(image: RawImage, deg: 90 | 180 | 270): RawImage {
  const { width: W, height: H, data } = image;
  const w = deg === 180 ? W : H;
  const h = deg === 180 ? H : W;
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y += 1) {
    for (let x = 0; x < W; x += 1) {
      const [nx, ny] = deg === 90 ? [H - 1 - y, x] : deg === 180 ? [W - 1 - x, H - 1 - y] : [y, W - 1 - x];
      const s = (y * W + x) * 3; const o = (ny * w + nx) * 3;
      out[o] = data[s]!; out[o + 1] = data[s + 1]!; out[o + 2] = data[s + 2]!;
    }
  }
  return { data: out, width: w, height: h };
}

/** A box found in the image turned by `deg` -> the same box in the upright image (W x H). */
function unrotate(b: Box, deg: 90 | 180 | 270, W: number, H: number): Box {
  if (deg === 90) return { x: b.y, y: H - (b.x + b.width), width: b.height, height: b.width };
  if (deg === 180) return { x: W - (b.x + b.width), y: H - (b.y + b.height), width: b.width, height: b.height };
  return { x: W - (b.y + b.height), y: b.x, width: b.height, height: b.width };
}

/** As detectFaces, plus YuNet over the whole photo turned 90, 180 and 270 degrees, at up to
 *  `side` px (native below it). */
const withRotations = (side: number, degs: Array<90 | 180 | 270>): Variant => async (m, image) => {
  const found = await detectFaces(m, image, opts);
  const extra: Detection[] = [];
  for (const deg of degs) {
    const r = rotated(image, deg);
    const scale = Math.min(1, side / Math.max(r.width, r.height));
    const dets = await runYuNet(m.yunet!, r, { x: 0, y: 0, width: r.width, height: r.height }, scale, opts.yunetMinConfidence);
    extra.push(...dets.map((d) => asDet(true)({ box: unrotate(d.box, deg, image.width, image.height), score: d.score })));
  }
  return mergeDetections(withoutWeakContainers([...found, ...extra]));
};

/** As detectFaces, plus YuNet over the whole (upright) photo at up to `side` px: another scale. */
const withYuNetScale = (side: number): Variant => async (m, image) => {
  const found = await detectFaces(m, image, opts);
  const scale = Math.min(1, side / Math.max(image.width, image.height));
  const dets = await runYuNet(m.yunet!, image, { x: 0, y: 0, width: image.width, height: image.height }, scale, opts.yunetMinConfidence);
  return mergeDetections(withoutWeakContainers([...found, ...dets.map(asDet(true))]));
};

/** RetinaFace's coarse pass only (no fine pass) and YuNet with whole-photo passes at `sides`. */
const yunetSidesNoRfFine = (sides: number[]): Variant => async (m, image) => {
  const long = Math.max(image.width, image.height);
  if (Math.min(2, opts.canvasSide / long) >= 1) return detectFaces(m, image, opts);
  const found: Detection[] = (await runAtScale(m.retina!, image, 320 / long, opts.retinaMinConfidence)).map(asDet(false));
  found.push(...(await detectWithYuNet(m.yunet!, image, opts.yunetMinConfidence, sides)).map(asDet(true)));
  return mergeDetections(withoutWeakContainers(found));
};

/** The photo as a video frame would show it (longest side `side`, 1280 for 720p), detected with
 *  RetinaFace's fine pass on a `canvas` px canvas (2048: magnified 1.6x as photos are; 1280: not
 *  magnified); boxes scaled back to the photo. */
const asFrame = (side: number, canvas: number): Variant => async (m, image) => {
  const scale = side / Math.max(image.width, image.height);
  const w = Math.round(image.width * scale); const h = Math.round(image.height * scale);
  const data = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
  const found = await detectFaces(m, { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: w, height: h }, { ...opts, canvasSide: canvas });
  const back = (b: Box): Box => ({ x: b.x / scale, y: b.y / scale, width: b.width / scale, height: b.height / scale });
  return found.map((d) => ({ ...d, box: back(d.box), describeBox: back(d.describeBox) }));
};

const VARIANTS: Record<string, Variant> = {
  'frame1280-c2048': asFrame(1280, 2048),
  'frame1280-c1280': asFrame(1280, 1280),
  'frame1280-c1600': asFrame(1280, 1600),
  // The safe copy capped at 2048 px and examined at that size (issue 9's other option for 12 MP).
  'copy2048': asFrame(2048, 2048),
  'y2048-no-rf-fine': yunetSidesNoRfFine([2048, 1280, 640]),
  'y1280-no-rf-fine': yunetSidesNoRfFine([1280, 640]),
  'yunet-1280': withYuNetScale(1280),
  'yunet-2048': withYuNetScale(2048),
  'rot180-1280': withRotations(1280, [180]),
  'rot90-1280': withRotations(1280, [90, 270]),
  base: (m, image) => detectFaces(m, image, opts),
  'no-rf-fine': noRfFine,
  'pad-zero': withPad('zero', 0.05),
  'pad-reflect': withPad('reflect', 0.05),
  'rot-640': withRotations(640, [90, 180, 270]),
  'rot-1280': withRotations(1280, [90, 180, 270]),
};

async function main() {
  const manifest = loadManifest(dir);
  const retina = await loadRetinaFace(threads);
  const yunet = await loadYuNet(threads);
  const api = await loadFaceApi({ ssd: false });
  const models: Detectors = { api, retina, yunet };
  const groups = manifest.groups.slice(0, values.limit ? Number(values.limit) : undefined);
  console.log(`probe-detect ${dir}: ${groups.length} photos, threads=${threads}, load=${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
  for (const name of variants) {
    const variant = VARIANTS[name];
    if (!variant) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS).join(', ')}`);
    const all = new Tally(); const pose = new Tally(); const edge = new Tally(); const large = new Tally();
    const times: number[] = [];
    const missed: string[] = [];
    for (const g of groups) {
      const { data, info } = await sharp(fs.readFileSync(path.join(dir, g.file))).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
      const t0 = performance.now();
      const dets = await variant(models, image);
      times.push(performance.now() - t0);
      const regions = dets.map((d) => blurRegionFor(d.box, image.width, image.height));
      for (const f of g.faces) {
        if (f.ignore) continue;
        const box = f.box ? rectFromXywh(f.box) : null;
        const exposed = !isCovered({ box, nose: f.nose ?? null }, regions);
        const cat = g.source === 'widerface' ? 'crowd' : g.truth === 'labels' ? 'labels' : 'ordinary';
        all.add(`${cat} ${sizeBucket(box)}`, exposed);
        if (f.pose) pose.add(`${cat} ${f.pose}`, exposed);
        if (box) {
          const atEdge = box.x <= 2 || box.y <= 2 || box.x + box.width >= image.width - 2 || box.y + box.height >= image.height - 2;
          if (atEdge) edge.add(cat, exposed);
          if (box.width >= 40) large.add(cat, exposed);
        }
        if (exposed && box && box.width >= 40) missed.push(`${g.file} ${box.x},${box.y} ${box.width}x${box.height}`);
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    const fmt = (t: Tally) => [...t.rows.entries()].sort().map(([k, v]) => `${k} ${v.hits}/${v.total}`).join(' | ');
    console.log(`\n== ${name}: exposed ${all.hits}/${all.total}; detect median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, total ${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
    console.log(`  by size: ${fmt(all)}`);
    console.log(`  by pose: ${fmt(pose)}`);
    console.log(`  at the border: ${fmt(edge)}`);
    console.log(`  >= 40 px: ${fmt(large)}`);
    if (missed.length) console.log(`  missed >= 40 px: ${missed.join('; ')}`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
