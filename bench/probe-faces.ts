// Bench-time probe for two limits that guard matching (docs/accuracy.md), on the evaluation
// set's identity photos (read from --dataset, default ../shared/eval, never copied anywhere):
//  1. reference agreement: distances between two photos of the same person (genuine) and of
//     different people (impostor), for the limit a new reference must meet against the pupil's
//     existing references;
//  2. minimum face size: the same face downscaled to N px wide, its descriptor's drift from the
//     full-size one, and how often it falls under the match threshold of another person.
// Usage: npx tsx bench/probe-faces.ts [--dataset DIR] [--widths 20,24,...]
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createFaceEngine, euclideanDistance, iou } from '../src/features/faces';
import type { Box } from '../src/features/faces/types';
import { loadManifest } from './eval-manifest';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, widths: { type: 'string' } } });
const dir = path.resolve(values.dataset ?? path.join(__dirname, '../../shared/eval'));
const widths = (values.widths ?? '20,24,28,32,40,48,64,96').split(',').map(Number);
const THRESHOLD = 0.5;

const q = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
};
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));

async function main() {
  const manifest = loadManifest(dir);
  const engine = await createFaceEngine({ workers: 1 });
  const faces: Array<{ identity: string; file: string; box: Box; descriptor: Float32Array; buf: Buffer }> = [];
  for (const [identity, files] of Object.entries(manifest.identities)) {
    for (const file of files) {
      const buf = fs.readFileSync(path.join(dir, file));
      const a = await engine.analyse(buf);
      const main = a.faces.filter((f) => f.score >= 0.8 && f.descriptor).sort((x, y) => y.box.width - x.box.width)[0];
      if (main) faces.push({ identity, file, box: main.box, descriptor: main.descriptor!, buf });
    }
  }
  console.log(`identity photos with a usable face: ${faces.length}`);

  // 1. Genuine vs impostor distances, full size.
  const genuine: number[] = [];
  const impostor: number[] = [];
  const worstGenuineToNearestOwn: number[] = [];
  for (let i = 0; i < faces.length; i += 1) {
    let nearestOwn = Infinity;
    for (let j = 0; j < faces.length; j += 1) {
      if (i === j) continue;
      const d = euclideanDistance(faces[i]!.descriptor, faces[j]!.descriptor);
      if (faces[i]!.identity === faces[j]!.identity) {
        if (j > i) genuine.push(d);
        nearestOwn = Math.min(nearestOwn, d);
      } else if (j > i) impostor.push(d);
    }
    if (Number.isFinite(nearestOwn)) worstGenuineToNearestOwn.push(nearestOwn);
  }
  console.log(`genuine pairs ${genuine.length}: median ${f3(q(genuine, 0.5))} p90 ${f3(q(genuine, 0.9))} p99 ${f3(q(genuine, 0.99))} max ${f3(Math.max(...genuine))}`);
  console.log(`each photo's nearest same-person photo (${worstGenuineToNearestOwn.length}): median ${f3(q(worstGenuineToNearestOwn, 0.5))} p90 ${f3(q(worstGenuineToNearestOwn, 0.9))} max ${f3(Math.max(...worstGenuineToNearestOwn))}`);
  console.log(`impostor pairs ${impostor.length}: min ${f3(Math.min(...impostor))} p1 ${f3(q(impostor, 0.01))} p5 ${f3(q(impostor, 0.05))} median ${f3(q(impostor, 0.5))}`);
  for (const limit of [0.5, 0.55, 0.6, 0.65, 0.7]) {
    const refusedGenuine = worstGenuineToNearestOwn.filter((d) => d >= limit).length;
    // A mislabelled photo: another person's face offered as this person's; accepted when it is
    // within the limit of ANY photo of this person.
    let accepted = 0;
    let offered = 0;
    const ids = [...new Set(faces.map((f) => f.identity))];
    for (const f of faces) {
      for (const other of ids) {
        if (other === f.identity) continue;
        offered += 1;
        const nearest = Math.min(...faces.filter((g) => g.identity === other).map((g) => euclideanDistance(f.descriptor, g.descriptor)));
        if (nearest < limit) accepted += 1;
      }
    }
    console.log(`agreement limit ${limit}: genuine refused ${refusedGenuine}/${worstGenuineToNearestOwn.length}, mislabelled accepted ${accepted}/${offered}`);
  }

  // 2. Face size.
  console.log('width  described  drift-median  drift-p90  drift-max  genuine<0.5  impostor<0.5');
  for (const w of widths) {
    const drift: number[] = [];
    let described = 0;
    let tried = 0;
    let genuineHit = 0;
    let impostorHit = 0;
    for (const f of faces) {
      const scale = w / f.box.width;
      if (scale >= 1) continue;
      tried += 1;
      const meta = await sharp(f.buf).metadata();
      const small = await sharp(f.buf).resize(Math.max(1, Math.round(meta.width! * scale))).jpeg({ quality: 90 }).toBuffer();
      const a = await engine.analyse(small);
      const target = { x: f.box.x * scale, y: f.box.y * scale, width: f.box.width * scale, height: f.box.height * scale };
      const found = a.faces.map((g) => ({ g, o: iou(g.box, target) })).filter((x) => x.o > 0.3).sort((x, y) => y.o - x.o)[0]?.g;
      if (!found?.descriptor) continue;
      described += 1;
      drift.push(euclideanDistance(found.descriptor, f.descriptor));
      const others = faces.filter((g) => g !== f);
      const nearestOwn = Math.min(...others.filter((g) => g.identity === f.identity).map((g) => euclideanDistance(found.descriptor!, g.descriptor)));
      const nearestOther = Math.min(...others.filter((g) => g.identity !== f.identity).map((g) => euclideanDistance(found.descriptor!, g.descriptor)));
      if (nearestOwn < THRESHOLD) genuineHit += 1;
      if (nearestOther < THRESHOLD) impostorHit += 1;
    }
    console.log(`${String(w).padStart(5)}  ${described}/${tried}  ${f3(q(drift, 0.5))}  ${f3(q(drift, 0.9))}  ${f3(drift.length ? Math.max(...drift) : NaN)}  ${genuineHit}/${described}  ${impostorHit}/${described}`);
  }
  await engine.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
