// The pure parts of running face-api's nets on onnxruntime: TensorFlow's padding rule, face-api's
// input preparation and its landmark post-processing. The nets themselves are compared with
// face-api's on real photos in engine.test.ts (through the worker, where onnxruntime runs).
import { tfPadding } from '../../src/features/faces/face-api-onnx';
import { toNetInput, toRelativeLandmarks } from '../../src/features/faces/face-nets';

test.each([
  // [in, kernel, stride, padding] -> [out, pads]: TensorFlow puts the odd padding pixel after.
  [112, 3, 2, 'same', 56, [0, 0, 1, 1]],
  [56, 3, 1, 'same', 56, [1, 1, 1, 1]],
  [150, 7, 2, 'valid', 72, [0, 0, 0, 0]],
  [35, 3, 2, 'valid', 17, [0, 0, 0, 0]],
  [7, 7, 2, 'valid', 1, [0, 0, 0, 0]],
] as const)('when %i px meet a %i px kernel at stride %i with %s padding, then %i px come out', (side, k, stride, padding, out, pads) => {
  expect(tfPadding(side, k, stride, padding)).toEqual({ side: out, pads });
});

describe('input preparation (face-api toBatchTensor + normalize)', () => {
  const crop = (width: number, height: number, value: (x: number, y: number, c: number) => number) => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = value(x, y, c);
    return { data, width, height };
  };
  const MEAN = [122.782, 117.001, 104.298];

  test('when a crop already has the net\'s size, then each value is only normalised, in planar order', () => {
    const out = new Float32Array(3 * 4 * 4);
    toNetInput(crop(4, 4, (x, y, c) => x * 10 + y + c * 100), 4, out);
    expect(out[0]).toBeCloseTo((0 - MEAN[0]!) / 255, 6); // red of (0, 0)
    expect(out[1 * 16 + 2 * 4 + 3]).toBeCloseTo((30 + 2 + 100 - MEAN[1]!) / 255, 6); // green of (3, 2)
  });

  test('when a crop is wider than tall, then it is centred on black with the odd row of padding below', () => {
    // 4 x 1 white crop into a 4 x 4 square: 3 rows of padding, 1 above and 2 below.
    const out = new Float32Array(3 * 16);
    toNetInput(crop(4, 1, () => 255), 4, out);
    const black = (0 - MEAN[0]!) / 255;
    const white = (255 - MEAN[0]!) / 255;
    expect([0, 1, 2, 3].map((y) => out[y * 4])).toEqual([black, white, black, black].map((v) => expect.closeTo(v, 6)));
  });

  test('when a crop is halved, then each output pixel samples the top-left of its source pair (no half-pixel centres)', () => {
    const out = new Float32Array(3 * 4);
    toNetInput(crop(4, 4, (x) => x * 60), 2, out);
    expect(out[0]).toBeCloseTo((0 - MEAN[0]!) / 255, 6);
    expect(out[1]).toBeCloseTo((120 - MEAN[0]!) / 255, 6);
  });
});

test('when a tall crop\'s landmarks come back, then the centring padding is taken off the x axis only', () => {
  // A 50 x 100 crop sits in the middle half of the 112 px square: x 0.25..0.75, y 0..1.
  const rel = toRelativeLandmarks(Float32Array.from([0.25, 0, 0.75, 1, 0.5, 0.5]), 50, 100);
  expect(Array.from(rel)).toEqual([0, 0, 1, 1, 0.5, 0.5].map((v) => expect.closeTo(v, 6)));
});
