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
