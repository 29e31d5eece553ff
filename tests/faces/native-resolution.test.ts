// Phone-sized photos, borders and over-sized photos, on images made here from the face-api demo
// samples. The engine examines every pixel at the size the safe copy shows it (docs/accuracy.md).
import sharp from 'sharp';
import { createFaceEngine } from '../../src/features/faces/engine';
import { renderSafeCopy } from '../../src/features/faces/safe-copy';
import type { Analysis, Box, FaceEngine } from '../../src/features/faces/types';
import { coveredShare } from '../../bench/eval-metrics';
import { sample } from './helpers/images';

let engine: FaceEngine;
/** The people of each sample at its own size (score >= 0.9, as engine.test.ts counts them). */
const people = new Map<number, Box[]>();

beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
  for (const n of [1, 2, 4]) people.set(n, (await engine.analyse(sample(n))).faces.filter((f) => f.score >= 0.9).map((f) => f.box));
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

const scaleBox = (b: Box, f: number, dx = 0, dy = 0): Box => ({ x: b.x * f + dx, y: b.y * f + dy, width: b.width * f, height: b.height * f });
const regions = (a: Analysis) => a.faces.map((f) => f.blurRegion);
/** True faces less than 70% inside the blurred regions (the eval's rule). */
const exposed = (a: Analysis, truth: Box[]) => truth.filter((t) => coveredShare(t, regions(a)) < 0.7);

/** A 4032 x 3024 "phone photo" of a crowd: the samples reduced so faces are 20-40 px wide,
 *  in a grid, the last column cut by the right edge; returns the photo and every true face box. */
async function phoneCrowd(): Promise<{ photo: Buffer; truth: Box[] }> {
  const W = 4032;
  const H = 3024;
  const cellW = 360;
  const composites: sharp.OverlayOptions[] = [];
  const truth: Box[] = [];
  const order = [1, 2, 4];
  let k = 0;
  for (let y = 60, rowH = 0; y + 300 <= H; y += rowH + 30, rowH = 0) {
    for (let x = 80; x < W; x += cellW + 40) {
      const n = order[k++ % order.length]!;
      const meta = await sharp(sample(n)).metadata();
      const f = cellW / meta.width!;
      const { data: input, info } = await sharp(sample(n)).resize(cellW).toBuffer({ resolveWithObject: true });
      const cellH = info.height;
      if (y + cellH > H) continue;
      rowH = Math.max(rowH, cellH);
      const visibleW = Math.min(cellW, W - x);
      composites.push({ input: visibleW < cellW ? await sharp(input).extract({ left: 0, top: 0, width: visibleW, height: cellH }).toBuffer() : input, left: x, top: y });
      for (const b of people.get(n)!) {
        const box = scaleBox(b, f, x, y);
        const inside = Math.min(box.x + box.width, W) - box.x;
        if (inside >= box.width * 0.6) truth.push({ ...box, width: inside });
      }
    }
  }
  const photo = await sharp({ create: { width: W, height: H, channels: 3, background: '#7a8a6a' } }).composite(composites).jpeg({ quality: 90 }).toBuffer();
  return { photo, truth };
}

describe('12 MP phone photos', () => {
  test('when a 12 MP crowd photo has small faces and faces cut by the edge, then every face is blurred, where the old 1920 px RetinaFace path left some sharp', async () => {
    const { photo, truth } = await phoneCrowd();
    expect(truth.length).toBeGreaterThan(40);
    expect(Math.max(...truth.map((t) => t.width))).toBeLessThan(48);
    const analysis = await engine.analyse(photo);
    expect([analysis.width, analysis.height]).toEqual([4032, 3024]);
    expect(exposed(analysis, truth)).toEqual([]);
    const old = await createFaceEngine({ workers: 1, detector: 'retinaface', maxSide: 1920 });
    try {
      expect(exposed(await old.analyse(photo), truth).length).toBeGreaterThan(0);
    } finally {
      await old.close();
    }
  }, 120_000);
});

describe('faces cut by the border', () => {
  // sample1's first person, cut through the middle of the face at each edge in turn.
  test.each(['left', 'right', 'top', 'bottom'] as const)('when half a face touches the %s edge, then the half that shows is blurred', async (edge) => {
    const face = people.get(1)![0]!;
    const meta = await sharp(sample(1)).metadata();
    const cx = Math.round(face.x + face.width / 2);
    const cy = Math.round(face.y + face.height / 2);
    const crop = {
      left: { left: cx, top: 0, width: meta.width! - cx, height: meta.height! },
      right: { left: 0, top: 0, width: cx, height: meta.height! },
      top: { left: 0, top: cy, width: meta.width!, height: meta.height! - cy },
      bottom: { left: 0, top: 0, width: meta.width!, height: cy },
    }[edge];
    const photo = await sharp(sample(1)).extract(crop).jpeg({ quality: 92 }).toBuffer();
    const fx = face.x - crop.left;
    const fy = face.y - crop.top;
    const visible = {
      x: Math.max(0, fx), y: Math.max(0, fy),
      width: Math.min(crop.width, fx + face.width) - Math.max(0, fx),
      height: Math.min(crop.height, fy + face.height) - Math.max(0, fy),
    };
    const analysis = await engine.analyse(photo);
    expect(coveredShare(visible, regions(analysis))).toBeGreaterThanOrEqual(0.7);
  }, 60_000);
});

describe('photos over the size the copy is made at', () => {
  test('when a 50 MP photo is checked, then it is reduced to 4096 px, not refused, and its faces are blurred at that size', async () => {
    const W = 8160;
    const H = 6120;
    const meta = await sharp(sample(4)).metadata();
    const f = 4000 / meta.width!;
    const input = await sharp(sample(4)).resize(4000).toBuffer();
    const photo = await sharp({ create: { width: W, height: H, channels: 3, background: '#556677' } })
      .composite([{ input, left: 2000, top: 2000 }]).jpeg({ quality: 85 }).toBuffer();
    const analysis = await engine.analyse(photo);
    expect([analysis.width, analysis.height]).toEqual([4096, 3072]);
    const k = 4096 / W;
    const truth = people.get(4)!.map((b) => scaleBox(scaleBox(b, f, 2000, 2000), k));
    expect(exposed(analysis, truth)).toEqual([]);
    const copy = await renderSafeCopy(photo, regions(analysis));
    const out = await sharp(copy).metadata();
    expect([out.width, out.height]).toEqual([4096, 3072]);
  }, 120_000);
});
