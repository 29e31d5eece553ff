import { safeCopyName } from '../../src/features/checks/file-names';
import { createRevealCrops } from '../../src/features/checks/reveal-crops';
import { applyMasks } from '../../src/features/faces/masks';

test.each([
  ['IMG_1234.JPG', 'IMG_1234-safe.jpg'],
  ['IMG_1234.HEIC', 'IMG_1234-safe.jpg'],
  ['Sports day (2).jpeg', 'Sports-day-2-safe.jpg'],
  ['../../etc/pass"wd.jpg', 'pass-wd-safe.jpg'],
  ['C:\\Users\\me\\Élodie.png', 'Elodie-safe.jpg'],
  ['....jpg', 'photo-3-safe.jpg'],
  [undefined, 'photo-3-safe.jpg'],
  ['x'.repeat(200) + '.jpg', `${'x'.repeat(60)}-safe.jpg`],
])('when the photo is called %j, then the safe copy is %j', (original, expected) => {
  expect(safeCopyName(original, 2, new Set())).toBe(expected);
});

test('when two photos share a name, then the second copy gets a number', () => {
  const used = new Set<string>();
  expect([safeCopyName('a.jpg', 0, used), safeCopyName('A.jpg', 1, used), safeCopyName('a.png', 2, used)])
    .toEqual(['a-safe.jpg', 'A-safe-2.jpg', 'a-safe-3.jpg']);
});

test('when the crops exceed the budget, then the oldest checks\' crops go first, and expired ones are swept', () => {
  const crops = createRevealCrops(100);
  const crop = (n: number) => new Map([['0:0', { rect: { x: 0, y: 0, width: 1, height: 1 }, jpeg: Buffer.alloc(n) }]]);
  const at = new Date('2026-03-02T09:00:00Z');
  const later = new Date('2026-03-02T10:00:00Z');
  crops.put('a', later, crop(40));
  crops.put('b', later, crop(40));
  crops.put('c', new Date('2026-03-02T09:30:00Z'), crop(40));
  expect(crops.get('a', 0, 0, at)).toBeNull();
  expect(crops.get('b', 0, 0, at)).not.toBeNull();
  expect(crops.bytes()).toBe(80);
  crops.sweep(new Date('2026-03-02T09:45:00Z'));
  expect(crops.get('c', 0, 0, at)).toBeNull();
  expect(crops.bytes()).toBe(40);
  crops.drop('b', 0, 0);
  expect(crops.bytes()).toBe(0);
  crops.put('huge', later, crop(101));
  expect(crops.get('huge', 0, 0, at)).toBeNull();
});

test('when an ellipse mask is solid, then its inside is one colour and the corners of its box are untouched', async () => {
  const width = 40;
  const height = 40;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 37) % 251; // busy detail
  const before = data.slice();
  await applyMasks({ data, width, height, channels: 3 }, [{ shape: 'ellipse', x: 10, y: 10, width: 20, height: 20 }], 'solid');
  const px = (x: number, y: number) => [...data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
  expect(px(20, 20)).toEqual([64, 64, 72]);
  expect(px(10, 10)).toEqual([...before.subarray((10 * width + 10) * 3, (10 * width + 10) * 3 + 3)]);
  expect(px(5, 5)).toEqual([...before.subarray((5 * width + 5) * 3, (5 * width + 5) * 3 + 3)]);
});
