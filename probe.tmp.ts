import fs from 'node:fs';
import { createQueueFaceEngine } from './src/features/faces/queue-engine';
import { createLogger } from './src/platform/logger';
async function main() {
  const e = await createQueueFaceEngine({ redisUrl: 'redis://127.0.0.1:16399', school: 'a', maxQueue: 4, logger: createLogger('info') });
  for (let i = 0; i < 30 && e.workers === 0; i++) { await new Promise(r => setTimeout(r, 1000)); await (e as any).refresh(); }
  console.log('workers', e.workers, e.detector, await e.health!());
  const img = fs.readFileSync('node_modules/@vladmandic/face-api/demo/sample1.jpg');
  for (let i = 0; i < 3; i++) { const a = await e.analyse(img); console.log(a.faces.length, a.faces[0].descriptor?.slice(0,3), Object.fromEntries(Object.entries(a.timings).map(([k,v])=>[k,Math.round(v)]))); }
  await e.analyse(Buffer.from('not an image')).catch(err => console.log('bad', err.code, err.status));
  await e.close();
}
main().catch(e => { console.error(e); process.exit(1); });
