import sharp from 'sharp';
import { locateFaces, nonMaxSuppression } from '../../src/features/faces/ssd-locate';
import { loadFaceApi, type LoadedFaceApi } from '../../src/features/faces/tf-backend';
import { sample } from '../helpers/photos';

// Our post-processing must give exactly what face-api's own locateFaces gives (it is only faster).
let api: LoadedFaceApi;
beforeAll(async () => {
  api = await loadFaceApi();
});

async function tensorOf(buf: Buffer) {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return api.tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32');
}

/** A crowd: the sample shrunk and tiled 4 x 4, so SSD proposes many small, overlapping faces. */
async function crowd(): Promise<Buffer> {
  const small = await sharp(sample(4)).resize(480).jpeg().toBuffer();
  const meta = await sharp(small).metadata();
  const tiles = [];
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) tiles.push({ input: small, left: x * 480, top: y * meta.height! });
  return sharp({ create: { width: 1920, height: meta.height! * 4, channels: 3, background: '#777' } }).composite(tiles).jpeg().toBuffer();
}

test.each([
  ['a group photo', () => Promise.resolve(sample(2))],
  ['a crowd of small faces', crowd],
])('when SSD runs on %s, then our detections equal face-api locateFaces exactly', async (_what, make) => {
  const input = await tensorOf(await make());
  try {
    for (const minConfidence of [0.25, 0.5]) {
      const theirs = await api.faceapi.nets.ssdMobilenetv1.locateFaces(input as never, new api.faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 200 }));
      const ours = await locateFaces(api, input, { minConfidence, maxResults: 200 });
      expect(ours.length).toBe(theirs.length);
      expect(ours.length).toBeGreaterThan(2);
      ours.forEach((d, i) => {
        expect(d.score).toBeCloseTo(theirs[i]!.score, 6);
        expect(d.box.x).toBeCloseTo(theirs[i]!.box.x, 3);
        expect(d.box.y).toBeCloseTo(theirs[i]!.box.y, 3);
        expect(d.box.width).toBeCloseTo(theirs[i]!.box.width, 3);
        expect(d.box.height).toBeCloseTo(theirs[i]!.box.height, 3);
      });
    }
  } finally {
    input.dispose();
  }
});

test('when boxes overlap beyond the threshold, then only the better one is kept, in score order', () => {
  // [y1, x1, y2, x2] per box
  const boxes = Float32Array.from([0, 0, 1, 1, 0, 0.05, 1, 1.05, 2, 2, 3, 3, 0, 0, 0, 0]);
  const scores = Float32Array.from([0.6, 0.9, 0.3, 0.95]);
  // box 3 is empty (no area: never suppresses), box 0 overlaps box 1 heavily, box 2 stands alone.
  expect(nonMaxSuppression(boxes, scores, 10, 0.5, 0.25)).toEqual([3, 1, 2]);
  expect(nonMaxSuppression(boxes, scores, 2, 0.5, 0.25)).toEqual([3, 1]);
  expect(nonMaxSuppression(boxes, scores, 10, 0.5, 0.65)).toEqual([3, 1]);
});
