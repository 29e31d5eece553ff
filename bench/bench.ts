// npm run bench [-- --runs N] [--quick] [--describer onnx|tfjs] [--queue] [--video]
// Stage timings (decode, detect, describe, match, blur+encode), the whole check through
// ctx.checks.check (the service's own code path on a temp database), throughput with one worker
// and with all, and peak RSS, on: the face-api demo photos (1920 px), the same upscaled to 12 MP,
// a made-up crowd of small faces with known boxes (reports how many the safe copy covers), and
// the same kind of crowd (400 faces) in a 12 MP frame.
// Performance lives here only: tests never assert on time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createFaceEngine } from '../src/features/faces/engine';
import { Gallery } from '../src/features/faces/matcher';
import { renderSafeCopy } from '../src/features/faces/safe-copy';
import type { Box, FaceEngine } from '../src/features/faces/types';
import { createTestWorld, signIn, type TestWorld } from '../tests/helpers/context';
import { addPupil, enrol, giveBiometricConsent, linkParent } from '../tests/helpers/register';
import { cropFace, sample } from '../tests/helpers/photos';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runs = Number(argv[argv.indexOf('--runs') + 1]) > 0 && argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : quick ? 2 : 5;
const describer = argv.includes('--describer') && argv[argv.indexOf('--describer') + 1] === 'tfjs' ? 'tfjs' : 'onnx';
const SAMPLES = quick ? [1, 5] : [1, 2, 3, 4, 5, 6];
const PUPILS = 500;
const REFS_PER_PUPIL = 3;

// ---- memory sampling -------------------------------------------------------------------------
let peakRss = 0;
const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 25);

// ---- statistics ------------------------------------------------------------------------------
interface Stat { n: number; median: number; p10: number; p90: number; min: number; max: number }
function stat(values: number[]): Stat {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] ?? NaN;
  return { n: s.length, median: q(0.5), p10: q(0.1), p90: q(0.9), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}
const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 1 : 0) : '-');
function table(title: string, rows: Array<[string, Stat]>): void {
  console.log(`\n${title}`);
  console.log(`${'stage'.padEnd(28)} ${'n'.padStart(4)} ${'median'.padStart(8)} ${'p10'.padStart(8)} ${'p90'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}   (ms)`);
  for (const [name, s] of rows) {
    console.log(`${name.padEnd(28)} ${String(s.n).padStart(4)} ${fmt(s.median).padStart(8)} ${fmt(s.p10).padStart(8)} ${fmt(s.p90).padStart(8)} ${fmt(s.min).padStart(8)} ${fmt(s.max).padStart(8)}`);
  }
}

// ---- photo sets ------------------------------------------------------------------------------
interface PhotoSet { name: string; photos: Buffer[]; crowdBoxes?: Box[][] }

async function upscaled(buf: Buffer): Promise<Buffer> {
  return sharp(buf).resize(4240, 2832, { fit: 'inside' }).jpeg({ quality: 90 }).toBuffer();
}

/** A grid of small faces cut from the samples (with hair and chin), each 30-60 px wide, on a
 *  plain background; returns the photo and each face's box in it. */
async function crowd(engine: FaceEngine, count: number, seed = 1): Promise<{ photo: Buffer; boxes: Box[] }> {
  let rnd = seed;
  const random = () => { rnd = (rnd * 1103515245 + 12345) % 2147483648; return rnd / 2147483648; };
  const faces: Array<{ photo: Buffer; box: Box }> = [];
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const a = await engine.analyse(sample(n));
    for (const f of a.faces) faces.push({ photo: sample(n), box: f.box });
  }
  const cols = Math.ceil(Math.sqrt(count * 1.5));
  const rows = Math.ceil(count / cols);
  const cell = 120;
  const width = cols * cell;
  const height = rows * cell;
  const layers: sharp.OverlayOptions[] = [];
  const boxes: Box[] = [];
  for (let i = 0; i < count; i += 1) {
    const src = faces[i % faces.length]!;
    const faceSide = Math.round(30 + random() * 30);
    const margin = 0.6;
    const crop = await cropFace(src.photo, src.box, margin);
    const scale = faceSide / src.box.width;
    const meta = await sharp(crop).metadata();
    const w = Math.max(1, Math.round(meta.width! * scale));
    const h = Math.max(1, Math.round(meta.height! * scale));
    const input = await sharp(crop).resize(w, h, { fit: 'fill' }).toBuffer();
    const left = (i % cols) * cell + Math.round((cell - w) / 2);
    const top = Math.floor(i / cols) * cell + Math.round((cell - h) / 2);
    layers.push({ input, left: Math.max(0, left), top: Math.max(0, top) });
    // Where the face box landed: its offset inside the crop, scaled.
    const offX = Math.min(src.box.x, src.box.width * margin);
    const offY = Math.min(src.box.y, src.box.height * margin);
    boxes.push({ x: Math.max(0, left) + offX * scale, y: Math.max(0, top) + offY * scale, width: src.box.width * scale, height: src.box.height * scale });
  }
  const photo = await sharp({ create: { width, height, channels: 3, background: '#8a9a7b' } })
    .composite(layers).jpeg({ quality: 90 }).toBuffer();
  return { photo, boxes };
}

function coveredBy(box: Box, regions: Box[]): boolean {
  let inside = 0;
  let total = 0;
  for (let y = Math.floor(box.y); y < box.y + box.height; y += 1) {
    for (let x = Math.floor(box.x); x < box.x + box.width; x += 1) {
      total += 1;
      if (regions.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)) inside += 1;
    }
  }
  return total > 0 && inside / total >= 0.7;
}

// ---- the world: temp DB, 500 pupils x 3 refs (random unit vectors) plus real references -------
function randomUnit(): Float32Array {
  const v = new Float32Array(128);
  let norm = 0;
  for (let i = 0; i < 128; i += 1) { v[i] = Math.random() * 2 - 1; norm += v[i]! * v[i]!; }
  norm = Math.sqrt(norm);
  for (let i = 0; i < 128; i += 1) v[i]! /= norm;
  // face-api descriptors have norm ~0.5-0.6, not 1: scale so distances look realistic.
  for (let i = 0; i < 128; i += 1) v[i]! *= 0.55;
  return v;
}

async function buildWorld(engine: FaceEngine): Promise<{ world: TestWorld; parentId: number; gallery: Gallery }> {
  const world = createTestWorld({ engine });
  const office = await signIn(world, 'admin');
  const parent = await signIn(world, 'parent');
  // Real references: one face of each sample photo, so some check faces really match.
  for (const n of SAMPLES) {
    const a = await engine.analyse(sample(n));
    const id = await addPupil(office, `Real${n}`);
    await giveBiometricConsent(office, id);
    await enrol(office, id, await cropFace(sample(n), a.faces[0]!.box));
    if (n === SAMPLES[0]) await linkParent(office, id, parent.id);
  }
  const { db, cipher } = world.ctx;
  const insert = db.prepare(`INSERT INTO reference_faces (pupil_id, descriptor_enc, thumbnail_enc, face_width, quality, created_by, created_at)
    VALUES (?, ?, NULL, 120, 1, NULL, ?)`);
  const entries: Array<{ pupilId: number; descriptor: Float32Array }> = [];
  for (let p = 0; p < PUPILS; p += 1) {
    const id = await addPupil(office, `Pupil${p}`);
    await giveBiometricConsent(office, id);
    for (let r = 0; r < REFS_PER_PUPIL; r += 1) {
      const d = randomUnit();
      insert.run(id, cipher.encrypt(Buffer.from(d.buffer)), new Date().toISOString());
      entries.push({ pupilId: id, descriptor: d });
    }
  }
  // The enrolments above invalidated the cached gallery; the direct inserts need one more nudge.
  world.ctx.register.invalidateGallery();
  return { world, parentId: parent.id, gallery: new Gallery(entries) };
}

// ---- runs ------------------------------------------------------------------------------------
async function stages(engine: FaceEngine, set: PhotoSet, gallery: Gallery) {
  const t: Record<string, number[]> = { decode: [], detect: [], describe: [], match: [], 'blur+encode': [], analyse: [] };
  for (let r = 0; r < runs; r += 1) {
    for (const photo of set.photos) {
      const a = await engine.analyse(photo);
      t.decode!.push(a.timings.decode ?? NaN);
      t.detect!.push(a.timings.detect ?? NaN);
      t.describe!.push(a.timings.describe ?? NaN);
      t.analyse!.push(a.timings.total ?? NaN);
      const m0 = performance.now();
      for (const f of a.faces) if (f.descriptor) gallery.match(f.descriptor, { threshold: 0.5, margin: 0.08 });
      t.match!.push(performance.now() - m0);
      const b0 = performance.now();
      await renderSafeCopy(photo, a.faces.map((f) => f.blurRegion));
      t['blur+encode']!.push(performance.now() - b0);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stat(v)]));
}

async function wholeChecks(world: TestWorld, parentId: number, set: PhotoSet) {
  const times: number[] = [];
  let covered = 0;
  let total = 0;
  for (let r = 0; r < runs; r += 1) {
    for (const [i, photo] of set.photos.entries()) {
      const t0 = performance.now();
      const record = await world.ctx.checks.check(parentId, [{ buffer: photo }], { mode: 'standard' });
      times.push(performance.now() - t0);
      const report = record.photos[0]!;
      if (r === 0 && set.crowdBoxes && report.ok) {
        for (const box of set.crowdBoxes[i]!) { total += 1; if (coveredBy(box, report.blurredRegions)) covered += 1; }
      }
    }
  }
  return { check: stat(times), crowd: set.crowdBoxes ? { covered, total } : undefined };
}

async function throughput(world: TestWorld, parentId: number, photos: Buffer[], concurrency: number): Promise<number> {
  const queue = [...photos, ...photos];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let p = queue.shift(); p; p = queue.shift()) await world.ctx.checks.check(parentId, [{ buffer: p }], { mode: 'standard' });
  }));
  return (photos.length * 2) / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const all = os.availableParallelism();
  console.log(`ShareSafe bench: runs=${runs}${quick ? ' (quick)' : ''}, cores=${all}, load=${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
  const engine1 = await createFaceEngine({ workers: 1, describer });
  console.log(`backend: ${engine1.backend}, detector: ${engine1.detector}, describer: ${engine1.describer}`);
  const base = SAMPLES.map(sample);
  const big = await Promise.all(base.map(upscaled));
  const crowds = await Promise.all((quick ? [50] : [40, 80]).map((n, i) => crowd(engine1, n, i + 1)));
  // A 12 MP phone photo of a crowd: 400 small faces (30-60 px) from the samples in a 4032 x 3024 frame.
  const crowd12 = await crowd(engine1, 400, 7);
  const meta12 = await sharp(crowd12.photo).metadata();
  const crowd12Photo = await sharp(crowd12.photo)
    .extend({ right: 4032 - meta12.width!, bottom: 3024 - meta12.height!, background: '#8a9a7b' }).jpeg({ quality: 90 }).toBuffer();
  const sets: PhotoSet[] = [
    { name: 'samples 1920px', photos: base },
    { name: 'samples 12MP', photos: big },
    { name: 'crowd', photos: crowds.map((c) => c.photo), crowdBoxes: crowds.map((c) => c.boxes) },
    { name: 'crowd 12MP', photos: [crowd12Photo], crowdBoxes: [crowd12.boxes] },
  ];
  const { world, parentId, gallery } = await buildWorld(engine1);
  console.log(`gallery: ${PUPILS} pupils x ${REFS_PER_PUPIL} refs + ${SAMPLES.length} real`);
  const results: Record<string, unknown> = {};
  for (const set of sets) {
    const st = await stages(engine1, set, gallery);
    const whole = await wholeChecks(world, parentId, set);
    table(`${set.name} (${set.photos.length} photos x ${runs} runs, 1 worker)`, [...Object.entries(st), ['WHOLE check (ctx.checks)', whole.check]]);
    if (whole.crowd) console.log(`crowd faces covered by the safe copy: ${whole.crowd.covered}/${whole.crowd.total}`);
    results[set.name] = { stages: st, check: whole.check, crowd: whole.crowd };
  }
  const tp1 = await throughput(world, parentId, big, 1);
  await engine1.close();
  const engineAll = await createFaceEngine({ workers: all, describer });
  const worldAll = createTestWorld({ engine: engineAll });
  const parentAll = await signIn(worldAll, 'parent');
  const tpAll = await throughput(worldAll, parentAll.id, big, all * 2);
  await engineAll.close();
  clearInterval(rssTimer);
  console.log(`\nthroughput 12MP: ${tp1.toFixed(2)} photos/s with 1 worker, ${tpAll.toFixed(2)} with ${all}`);
  console.log(`peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB (main process; workers are threads of it)`);
  const out = path.join(__dirname, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ runs, quick, backend: engineAll.backend, detector: engineAll.detector, describer: engineAll.describer, cores: all, load: os.loadavg(), results, throughput: { oneWorker: tp1, allWorkers: tpAll, workers: all }, peakRssMiB: peakRss / 2 ** 20 }, null, 2));
  console.log(`written ${path.relative(process.cwd(), out)}`);
}

// --queue: the engine behind BullMQ on Redis instead (bench/bench-queue.ts); --video: video-bench.ts.
if (argv.includes('--queue')) void import('./bench-queue');
else if (argv.includes('--video')) {
  clearInterval(rssTimer);
  import('./video-bench').then((m) => m.videoBench()).then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
} else {
  main().catch((err) => { console.error(err); process.exit(1); });
}
