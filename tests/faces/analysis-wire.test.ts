import { fromWire, toWire } from '../../src/features/faces/analysis-wire';
import type { Analysis } from '../../src/features/faces/types';

// An Analysis crosses Redis as JSON from a worker process to the school: exact both ways, and
// anything malformed fails the photo closed (engine_failed), never passes as "no faces".
const descriptor = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) * 0.3);
const analysis: Analysis = {
  width: 1920, height: 1280, format: 'jpeg', timings: { decode: 12.5, detect: 300, total: 350 },
  faces: [
    { box: { x: 10, y: 20, width: 30, height: 40 }, blurRegion: { x: 0, y: 5, width: 60, height: 80 }, score: 0.97, descriptor },
    { box: { x: 100, y: 20, width: 8, height: 9 }, blurRegion: { x: 90, y: 10, width: 28, height: 29 }, score: 0.31, descriptor: null },
  ],
};

test('when an analysis travels as JSON, then every box, score and descriptor arrives bit for bit', () => {
  const back = fromWire(JSON.parse(JSON.stringify(toWire(analysis))));
  expect(back).toEqual(analysis);
  expect(back.faces[0]!.descriptor).toBeInstanceOf(Float32Array);
  expect(Buffer.from(back.faces[0]!.descriptor!.buffer)).toEqual(Buffer.from(descriptor.buffer));
});

const wire = () => JSON.parse(JSON.stringify(toWire(analysis)));
test.each([
  ['a face without a box', (w: any) => { delete w.faces[0].box; }],
  ['a NaN-like score', (w: any) => { w.faces[0].score = null; }],
  ['a short descriptor', (w: any) => { w.faces[0].descriptor = Buffer.alloc(100).toString('base64'); }],
  ['a descriptor of NaNs', (w: any) => { w.faces[0].descriptor = Buffer.from(new Float32Array(128).fill(NaN).buffer).toString('base64'); }],
  ['no faces list', (w: any) => { delete w.faces; }],
  ['a negative width', (w: any) => { w.faces[1].blurRegion.width = -1; }],
  ['an unknown format', (w: any) => { w.format = 'gif'; }],
])('when the result has %s, then the photo fails closed with engine_failed', (_case, spoil) => {
  const w = wire();
  spoil(w);
  expect(() => fromWire(w)).toThrow(expect.objectContaining({ code: 'engine_failed', status: 503 }));
});
