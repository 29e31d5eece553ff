// RetinaFace's pure parts (output decoding, suppression, input resampling) and the real model on
// photos the tests make from the face-api samples.
import sharp from 'sharp';
import { createFaceEngine } from '../../src/features/faces/engine';
import { decodeStride, suppress, toPlanarInput } from '../../src/features/faces/retinaface';
import type { RawImage } from '../../src/features/faces/raw-image';
import type { FaceEngine } from '../../src/features/faces/types';
import { sample } from './helpers/images';

describe('decodeStride', () => {
  const layout = { stride: 8, anchors: [32, 16], cols: 4, rows: 2, minConfidence: 0.3 };
  const plane = layout.cols * layout.rows;

  test('when one anchor cell scores above the floor with zero deltas, then the box is that anchor around the cell centre', () => {
    const scores = new Float32Array(4 * plane); // [bg a0, bg a1, face a0, face a1]
    const deltas = new Float32Array(8 * plane);
    scores[3 * plane + 5] = 0.9; // face, anchor 1 (16 px), cell 5 = column 1, row 1
    const found: Array<{ box: { x: number; y: number; width: number; height: number }; score: number }> = [];
    decodeStride(scores, deltas, layout, found);
    expect(found).toHaveLength(1);
    expect(found[0]!.score).toBeCloseTo(0.9);
    expect(found[0]!.box).toEqual({ x: 8 + 7.5 - 8, y: 8 + 7.5 - 8, width: 16, height: 16 });
  });

  test('when deltas move and stretch the anchor, then the box follows them', () => {
    const scores = new Float32Array(4 * plane);
    const deltas = new Float32Array(8 * plane);
    scores[2 * plane] = 0.5; // face, anchor 0 (32 px), cell 0
    deltas[0] = 0.25; // dx: a quarter of the anchor
    deltas[2 * plane] = Math.log(2); // dw: twice as wide
    const found: Array<{ box: { x: number; y: number; width: number; height: number }; score: number }> = [];
    decodeStride(scores, deltas, layout, found);
    expect(found[0]!.box.width).toBeCloseTo(64);
    expect(found[0]!.box.height).toBeCloseTo(32);
    expect(found[0]!.box.x + found[0]!.box.width / 2).toBeCloseTo(7.5 + 8);
  });

  test('when scores are under the floor or not numbers, then nothing is proposed', () => {
    const scores = new Float32Array(4 * plane).fill(0.29);
    scores[2 * plane + 1] = Number.NaN;
    const found: unknown[] = [];
    decodeStride(scores, new Float32Array(8 * plane), layout, found as never);
    expect(found).toHaveLength(0);
  });
});

describe('suppress', () => {
  const det = (x: number, score: number) => ({ box: { x, y: 0, width: 100, height: 100 }, score });

  test('when two proposals overlap heavily, then only the better one stays; neighbours stay', () => {
    const kept = suppress([det(10, 0.8), det(0, 0.9), det(90, 0.7)], 0.4);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.7]);
  });
});

describe('toPlanarInput', () => {
  const image: RawImage = { width: 2, height: 1, data: new Uint8Array([10, 20, 30, 50, 60, 70]) };

  test('when the size is unchanged, then channels are split into planes and the rest is zero padding', () => {
    const out = toPlanarInput(image, 2, 1, 4, 2);
    expect(Array.from(out.subarray(0, 8))).toEqual([10, 50, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.subarray(8, 10))).toEqual([20, 60]);
    expect(Array.from(out.subarray(16, 18))).toEqual([30, 70]);
  });

  test('when enlarged 2x, then pixels between the originals are blended', () => {
    const out = toPlanarInput(image, 4, 2, 4, 2);
    expect(Array.from(out.subarray(0, 4))).toEqual([10, 20, 40, 50]);
    expect(Array.from(out.subarray(4, 8))).toEqual([10, 20, 40, 50]);
  });
});

// Through the engine: onnxruntime-node's tensors cannot cross into jest's sandbox realm, while
// the engine runs the model in a worker thread, as the service does.
describe('the model, through the engine', () => {
  let engine: FaceEngine;
  beforeAll(async () => { engine = await createFaceEngine({ workers: 1 }); }, 60_000);
  afterAll(async () => engine?.close());

  test('when the photo is shrunk to 240 px wide (faces of ~20 px), then the enlarged pass still finds all five people', async () => {
    const small = await sharp(sample(5)).resize(240).toBuffer();
    const found = (await engine.analyse(small)).faces;
    expect(found.filter((f) => f.score >= 0.5).length).toBeGreaterThanOrEqual(5);
  }, 30_000);

  test('when a face fills the whole photo, then the coarse pass finds it', async () => {
    const five = (await engine.analyse(sample(5))).faces;
    const face = [...five].sort((a, b) => b.score - a.score)[0]!.box;
    const pad = face.width * 0.05;
    const closeUp = await sharp(sample(5))
      .extract({ left: Math.round(face.x + pad), top: Math.round(face.y + pad), width: Math.round(face.width - 2 * pad), height: Math.round(face.height - 2 * pad) })
      .resize(1400)
      .toBuffer();
    const found = (await engine.analyse(closeUp)).faces;
    expect(found.some((f) => f.score >= 0.5 && f.box.width > 700)).toBe(true);
  }, 30_000);
});
