import { destroyRegion, type RawPixels } from '../../src/features/faces/pixelate';

function checkerboard(width: number, height: number): RawPixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill((x + y) % 2 ? 255 : 0, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height, channels: 3 };
}

const at = (img: RawPixels, x: number, y: number) => img.data[(y * img.width + x) * 3]!;

test('when a region is destroyed, then no detail survives inside and nothing changes outside', () => {
  const img = checkerboard(200, 160);
  const before = Uint8Array.from(img.data);
  const rect = { x: 40, y: 30, width: 90, height: 100 };
  destroyRegion(img, rect);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const inside = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
      if (inside) expect(Math.abs(at(img, x, y) - 127.5)).toBeLessThanOrEqual(2); // 1-px detail averaged away
      else expect(img.data[(y * img.width + x) * 3]).toBe(before[(y * img.width + x) * 3]);
    }
  }
});

test('when a region holds a face-sized pattern, then at most a handful of blocks of tone remain', () => {
  const width = 120;
  const height = 120;
  const data = new Uint8Array(width * height * 3);
  // Coarse structure (eyes, mouth) at 10-px scale: survives only as low-frequency blocks.
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill((Math.floor(x / 10) * 37 + Math.floor(y / 10) * 91) % 256, (y * width + x) * 3, (y * width + x) * 3 + 3);
  const img = { data, width, height, channels: 3 };
  destroyRegion(img, { x: 0, y: 0, width, height });
  // Neighbouring pixels differ by little anywhere: no edges a recogniser could use.
  let maxStep = 0;
  for (let y = 0; y < height; y++) for (let x = 1; x < width; x++) maxStep = Math.max(maxStep, Math.abs(at(img, x, y) - at(img, x - 1, y)));
  expect(maxStep).toBeLessThan(20);
});

test('when the rect is empty, then nothing happens', () => {
  const img = checkerboard(10, 10);
  const before = Uint8Array.from(img.data);
  destroyRegion(img, { x: 2, y: 2, width: 0, height: 5 });
  expect(img.data).toEqual(before);
});

/** The rule written plainly, pixel by pixel: block means, then each pixel the bilinear blend of
 *  the four nearest block centres. The real code is restructured for speed; it must agree. */
function plainDestroy(img: RawPixels, rect: { x: number; y: number; width: number; height: number }, blocks = 7): void {
  const { width: w, height: h } = rect;
  const c = img.channels;
  const bw = Math.min(w, Math.max(1, Math.round((blocks * w) / Math.max(w, h))));
  const bh = Math.min(h, Math.max(1, Math.round((blocks * h) / Math.max(w, h))));
  const sums = new Float64Array(bw * bh * c);
  const counts = new Float64Array(bw * bh);
  const px = (x: number, y: number) => ((rect.y + y) * img.width + rect.x + x) * c;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const b = Math.min(bh - 1, Math.floor((y * bh) / h)) * bw + Math.min(bw - 1, Math.floor((x * bw) / w));
    counts[b]! += 1;
    for (let k = 0; k < c; k++) sums[b * c + k]! += img.data[px(x, y) + k]!;
  }
  const mean = (bx: number, by: number, k: number) => sums[(by * bw + bx) * c + k]! / counts[by * bw + bx]!;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const gx = Math.min(bw - 1, Math.max(0, ((x + 0.5) * bw) / w - 0.5));
    const gy = Math.min(bh - 1, Math.max(0, ((y + 0.5) * bh) / h - 0.5));
    const [x0, y0] = [Math.floor(gx), Math.floor(gy)];
    const [x1, y1] = [Math.min(bw - 1, x0 + 1), Math.min(bh - 1, y0 + 1)];
    for (let k = 0; k < c; k++) {
      const top = mean(x0, y0, k) + (mean(x1, y0, k) - mean(x0, y0, k)) * (gx - x0);
      const bottom = mean(x0, y1, k) + (mean(x1, y1, k) - mean(x0, y1, k)) * (gx - x0);
      img.data[px(x, y) + k] = Math.round(top + (bottom - top) * (gy - y0));
    }
  }
}

test.each([3, 4])('when %i channels of noise are destroyed in odd-sized regions, then every pixel is within 1 of the plain rule', (channels) => {
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (const rect of [{ x: 3, y: 5, width: 61, height: 37 }, { x: 0, y: 0, width: 13, height: 90 }, { x: 20, y: 11, width: 5, height: 3 }]) {
    const data = Uint8Array.from({ length: 100 * 100 * channels }, () => Math.floor(random() * 256));
    const fast = { data, width: 100, height: 100, channels };
    const plain = { ...fast, data: Uint8Array.from(data) };
    destroyRegion(fast, rect);
    plainDestroy(plain, rect);
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(fast.data[i]! - plain.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  }
});
