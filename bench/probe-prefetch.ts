// npx tsx bench/probe-prefetch.ts [--runs N] [--side 4032]
// One face worker process with QUEUE_PREFETCH=0 and then =1, in turns, on a real redis-server:
// photos/s with 4 photos in flight from one school, after one uncounted round. Medians of the
// rounds. Shows what holding one photo ahead of the face thread buys at a given photo size.
import sharp from 'sharp';
import { createQueueFaceEngine } from '../src/features/faces/queue-engine';
import { silentLogger } from '../src/platform/logger';
import { startWorker } from '../tests/helpers/face-workers';
import { sample } from '../tests/helpers/photos';
import { startRedis } from '../tests/helpers/redis';
import { median, throughput } from './throughput';

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || def : def);
const runs = arg('--runs', 3);
const side = arg('--side', 4032);
async function main(): Promise<void> {
  const photos = await Promise.all([1, 2, 3, 4].map((i) => sharp(sample(i)).resize(side).jpeg({ quality: 90 }).toBuffer()));
  const redis = await startRedis();
  const results: Record<string, number[]> = { '0': [], '1': [] };
  try {
    for (let r = 0; r < runs; r += 1) {
      for (const prefetch of ['0', '1']) {
        const worker = await startWorker(redis.url, { QUEUE_PREFETCH: prefetch, QUEUE_LOCK_SECONDS: '30' });
        const engine = await createQueueFaceEngine({ redisUrl: redis.url, school: `probe-${r}-${prefetch}`, maxQueue: 32, logger: silentLogger });
        await new Promise((res) => setTimeout(res, 1500));
        results[prefetch]!.push(await throughput([engine], photos, 4, 2));
        await engine.close();
        await worker.stop();
      }
      console.log(`round ${r + 1}: prefetch 0 ${results['0']!.at(-1)!.toFixed(3)}, prefetch 1 ${results['1']!.at(-1)!.toFixed(3)} photos/s`);
    }
  } finally {
    await redis.stop();
  }
  const m0 = median(results['0']!);
  const m1 = median(results['1']!);
  console.log(`${side} px photos, 1 worker process, 4 in flight: prefetch 0 ${m0.toFixed(3)}, prefetch 1 ${m1.toFixed(3)} photos/s (${((m1 / m0 - 1) * 100).toFixed(1)}%)`);
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
