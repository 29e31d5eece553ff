import { decodeYuNetStride, TILE_OVERLAP, TILE_SIDE, toPlanarBgr, yunetTiles, type YuNetDetection } from '../../src/features/faces/yunet';

describe('yunetTiles', () => {
  test.each([[4032, 3024], [3024, 4032], [4096, 3072], [2048, 1536], [1600, 1200], [1024, 768], [5000, 400]])(
    'when the photo is %i x %i, then tiles of at most the tile side cover every pixel and neighbours overlap by the set overlap',
    (width, height) => {
      const tiles = yunetTiles(width, height);
      for (const t of tiles) {
        expect(t.width).toBeLessThanOrEqual(TILE_SIDE);
        expect(t.height).toBeLessThanOrEqual(TILE_SIDE);
        expect(t.x + t.width).toBeLessThanOrEqual(width);
        expect(t.y + t.height).toBeLessThanOrEqual(height);
      }
      const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
      const w = tiles[0]!.width;
      for (let i = 1; i < xs.length; i += 1) expect(xs[i - 1]! + w - xs[i]!).toBeGreaterThanOrEqual(TILE_OVERLAP);
      for (const [x, y] of [[0, 0], [width - 1, height - 1], [width - 1, 0], [0, height - 1], [Math.floor(width / 2), Math.floor(height / 2)]]) {
        expect(tiles.some((t) => x! >= t.x && x! < t.x + t.width && y! >= t.y && y! < t.y + t.height)).toBe(true);
      }
    },
  );
});

describe('decodeYuNetStride', () => {
  test('when one cell scores, then its box and landmarks are placed as OpenCV decodes them', () => {
    // 2 x 2 cells at stride 8; cell (col 1, row 0) has cls 0.81, obj 1 -> score 0.9.
    const cls = new Float32Array([0, 0.81, 0, 0]);
    const obj = new Float32Array([0, 1, 0, 0]);
    const bbox = new Float32Array(16);
    bbox.set([0.5, 0.25, Math.log(2), Math.log(3)], 4);
    const kps = new Float32Array(40);
    kps.set([0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1], 10);
    const out: YuNetDetection[] = [];
    decodeYuNetStride({ cls, obj, bbox, kps }, { stride: 8, cols: 2, rows: 2, minConfidence: 0.5 }, out);
    expect(out).toHaveLength(1);
    expect(out[0]!.score).toBeCloseTo(0.9, 6);
    // centre ((1 + 0.5) * 8, (0 + 0.25) * 8) = (12, 2); size 16 x 24.
    expect(out[0]!.box.x).toBeCloseTo(4, 5);
    expect(out[0]!.box.y).toBeCloseTo(-10, 5);
    expect(out[0]!.box.width).toBeCloseTo(16, 5);
    expect(out[0]!.box.height).toBeCloseTo(24, 5);
    expect(out[0]!.landmarks[0]).toEqual([8, 0]);
    expect(out[0]!.landmarks[2]).toEqual([12, 4]);
  });

  test('when scores fall outside 0..1 or under the floor, then nothing is decoded', () => {
    const out: YuNetDetection[] = [];
    decodeYuNetStride({ cls: new Float32Array([-1, 0.1]), obj: new Float32Array([2, 0.1]), bbox: new Float32Array(8), kps: new Float32Array(20) }, { stride: 8, cols: 2, rows: 1, minConfidence: 0.2 }, out);
    expect(out).toEqual([]);
  });
});

describe('toPlanarBgr', () => {
  test('when a tile of an RGB image is converted at its own size, then planes are B, G, R of that tile and the padding is zero', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // 2 x 2 RGB
    const out = toPlanarBgr({ data, width: 2, height: 2 }, { x: 1, y: 0, width: 1, height: 2 }, 1, 2, 2, 2);
    expect(Array.from(out)).toEqual([6, 0, 12, 0, 5, 0, 11, 0, 4, 0, 10, 0]);
  });
});
