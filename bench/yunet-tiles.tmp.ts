import os from 'node:os';
import sharp from 'sharp';
import { loadYuNet, runYuNet, yunetTiles } from '../src/features/faces/yunet';
import { sample } from '../tests/helpers/photos';
async function main() {
  const buf = await sharp(sample(1)).resize(4032, 3024, { fit: 'fill' }).raw().toBuffer();
  const image = { data: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), width: 4032, height: 3024 };
  const configs: Array<[string, number, any]> = [];
  for (const threads of [2, 1]) for (const opt of ['all', 'extended'] as const) {
    const ort = require('onnxruntime-node');
    const session = await ort.InferenceSession.create(require('../src/features/faces/yunet').yunetModelPath(), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: opt });
    configs.push([`threads ${threads} opt ${opt}`, threads, { ort, session }]);
  }
  const layouts: Array<[string, number, number]> = [['1536/160 (now)', 1536, 160], ['2048/160', 2048, 160], ['whole 4032', 4096, 0], ['1024/160', 1024, 160]];
  const res = new Map<string, number[]>();
  for (let rep = 0; rep < 3; rep++) for (const [cname, , net] of configs) for (const [lname, side, ov] of layouts) {
    if (cname !== 'threads 2 opt all' && lname !== '1536/160 (now)') continue;
    const t0 = performance.now();
    for (const tile of yunetTiles(4032, 3024, side, ov)) await runYuNet(net, image, tile, 1, 0.2);
    const k = `${cname} | ${lname}`; res.set(k, [...(res.get(k) ?? []), performance.now() - t0]);
  }
  console.log('load', os.loadavg());
  for (const [k, v] of res) console.log(k.padEnd(40), 'min', Math.min(...v).toFixed(0), 'all', v.map((x) => x.toFixed(0)).join(' '));
}
main();
