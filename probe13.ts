import sharp from 'sharp';
import { createTestWorld, signIn } from './tests/helpers/context';
import { createFaceEngine } from './src/features/faces';
import { sample } from './tests/helpers/photos';
(async () => {
  const engine = await createFaceEngine({ workers: 1 });
  const world = createTestWorld({ engine });
  const p = await signIn(world, 'parent');
  const times: number[] = []; const maskTimes: number[] = [];
  let totalJpeg = 0, totalRaw = 0, regions = 0;
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const r = await world.ctx.checks.check(p.id, [{ buffer: sample(n), originalname: `s${n}.jpg` }], { mode: 'standard' });
    const ph = r.photos[0] as any;
    const weak = ph.faces.map((f: any, i: number) => ({ f, i })).filter(({ f }: any) => f.blurred && f.score < 0.5);
    for (const { f } of weak) {
      const jpeg = await sharp(sample(n)).extract({ left: f.region.x, top: f.region.y, width: f.region.width, height: f.region.height }).jpeg({ quality: 92 }).toBuffer();
      totalJpeg += jpeg.length; totalRaw += f.region.width * f.region.height * 3; regions += 1;
    }
    if (weak.length) { const t = Date.now(); await world.ctx.checks.review.revealRegion(p.id, r.id, 0, weak[0].i); times.push(Date.now() - t); }
    const t2 = Date.now(); await world.ctx.checks.review.addMasks(p.id, r.id, 0, [{ shape: 'rect', x: 10, y: 10, width: 300, height: 200 }], 'pixelate'); maskTimes.push(Date.now() - t2);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log({ regions, perRegionJpeg: Math.round(totalJpeg / regions), perRegionRaw: Math.round(totalRaw / regions), revealMs: times, revealMedian: med(times), maskMs: maskTimes, maskMedian: med(maskTimes) });
  await engine.close();
})();
