import sharp from 'sharp';
import { createFaceEngine } from '../../src/features/faces/engine';
import { assessReference, assessReferencePhoto, makeThumbnail, MIN_REFERENCE_WIDTH } from '../../src/features/faces/reference';
import type { Analysis, Face, FaceEngine } from '../../src/features/faces/types';
import { sample } from './helpers/images';

const face = (width: number, score: number, descriptor: Float32Array | null = new Float32Array(128), x = 100): Face => {
  const box = { x, y: 100, width, height: width * 1.2 };
  return { box, score, descriptor, blurRegion: box };
};
const analysis = (faces: Face[]): Analysis => ({ width: 1000, height: 1000, format: 'jpeg', faces, timings: {} });

describe('assessReference', () => {
  test.each([
    ['there is no face', 'no_face', []],
    ['there are two clear faces', 'several_faces', [face(200, 0.99), face(180, 0.95, undefined, 500)]],
    ['a second, smaller face is fairly sure', 'several_faces', [face(200, 0.99), face(60, 0.6, undefined, 500)]],
    ['the face is 60 px wide', 'face_too_small', [face(60, 0.99)]],
    ['the face is 95 px wide (a poor reference attracts strangers: docs/accuracy.md)', 'face_too_small', [face(95, 0.99)]],
    ['the detector is unsure', 'low_score', [face(200, 0.6)]],
    ['the face has no descriptor', 'no_descriptor', [face(200, 0.99, null)]],
  ])('when %s, then it is refused as %s', (_name, reason, faces) => {
    expect(assessReference(analysis(faces))).toEqual({ ok: false, reason });
  });

  test('when one clear large face and a faint small blob, then the face is accepted', () => {
    const verdict = assessReference(analysis([face(200, 0.99), face(30, 0.3, undefined, 500)]));
    expect(verdict.ok).toBe(true);
  });

  test('when a faint patch larger than the face sits beside it, then the clear face is the one enrolled', () => {
    const verdict = assessReference(analysis([face(200, 0.99), face(260, 0.31, undefined, 450)]));
    expect(verdict.ok && verdict.face.box.width).toBe(200);
  });

  test('when a smaller face is cut by the photo\'s edge (a neighbour\'s chin in the crop), then the clear face is accepted', () => {
    const cut = { ...face(100, 0.67, undefined, 900), box: { x: 900, y: 0, width: 100, height: 72 } };
    expect(assessReference(analysis([face(200, 0.99), cut])).ok).toBe(true);
  });

  test('when a face cut by the edge is as large as the main face, then it is refused as several_faces', () => {
    const cut = { ...face(180, 0.9, undefined, 820), box: { x: 820, y: 0, width: 180, height: 150 } };
    expect(assessReference(analysis([face(200, 0.99), cut]))).toEqual({ ok: false, reason: 'several_faces' });
  });

  test('when a second guess at the same face overlaps it (centred on it), then it is not another person', () => {
    expect(assessReference(analysis([face(200, 0.99), face(150, 0.77, undefined, 150)])).ok).toBe(true);
  });

  test('when the face is exactly the minimum width, then it is accepted', () => {
    expect(assessReference(analysis([face(MIN_REFERENCE_WIDTH, 0.99)])).ok).toBe(true);
  });

  test('when a face is accepted, then quality grows with size up to 160 px', () => {
    const q = (w: number) => {
      const v = assessReference(analysis([face(w, 0.9)]));
      return v.ok ? v.quality : -1;
    };
    expect(q(100)).toBeLessThan(q(160));
    expect(q(160)).toBeCloseTo(q(400));
  });
});

describe('reference photos through the engine', () => {
  let engine: FaceEngine;
  let portrait: Buffer;

  beforeAll(async () => {
    engine = await createFaceEngine({ workers: 1 });
    const group = await engine.analyse(sample(1));
    const { box } = group.faces[0];
    // A portrait: one face with generous margins, cut from the group photo.
    const pad = box.width;
    portrait = await sharp(sample(1))
      .extract({ left: Math.max(0, box.x - pad), top: Math.max(0, box.y - pad), width: box.width + 2 * pad, height: box.height + 2 * pad })
      .jpeg({ quality: 92 })
      .toBuffer();
  }, 120_000);

  afterAll(async () => engine?.close());

  test('when the portrait shows one sharp colour face, then it is accepted with a descriptor', async () => {
    const a = await engine.analyse(portrait);
    const verdict = await assessReferencePhoto(portrait, a);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.face.descriptor).toHaveLength(128);
  });

  test('when the photo is a group photo, then it is refused as several faces', async () => {
    expect(assessReference(await engine.analyse(sample(1)))).toEqual({ ok: false, reason: 'several_faces' });
  });

  test('when the photo is blank, then it is refused as no face', async () => {
    const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#8a8' } }).jpeg().toBuffer();
    expect(assessReference(await engine.analyse(blank))).toEqual({ ok: false, reason: 'no_face' });
  });

  test('when the portrait is greyscale, then it is refused as greyscale', async () => {
    const grey = await sharp(portrait).greyscale().jpeg().toBuffer();
    const a = await engine.analyse(grey);
    expect(await assessReferencePhoto(grey, a)).toEqual({ ok: false, reason: 'greyscale' });
  });

  test('when the portrait is out of focus, then it is refused as too blurry', async () => {
    const soft = await sharp(portrait).blur(2).jpeg().toBuffer();
    expect(await assessReferencePhoto(soft, await engine.analyse(soft))).toEqual({ ok: false, reason: 'too_blurry' });
  });

  test('when a thumbnail is made, then it is a small JPEG without metadata', async () => {
    const a = await engine.analyse(portrait);
    const thumb = await makeThumbnail(portrait, a.faces[0].box);
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 96, 96]);
    expect(meta.exif).toBeUndefined();
  });
});
