import fs from 'node:fs';
import path from 'node:path';
import { createFaceEngine } from './src/features/faces/engine';
import { coveredShare } from './bench/eval-metrics';
(async () => {
  const dir = process.argv[2]!;
  const minW = Number(process.argv[3] ?? 40);
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const engine = await createFaceEngine({ workers: 1 });
  for (const g of m.groups) {
    if (g.source !== 'widerface') continue;
    const faces = g.faces.filter((f: any) => !f.ignore && f.box && f.box[2] >= minW);
    if (!faces.length) continue;
    const a = await engine.analyse(fs.readFileSync(path.join(dir, g.file)));
    const regions = a.faces.map((f) => f.blurRegion);
    for (const f of faces) {
      const box = { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] };
      const share = coveredShare(box, regions);
      if (share < 0.7) {
        const near = a.faces.filter((d) => coveredShare(box, [d.box]) > 0).map((d) => `${d.box.x},${d.box.y},${d.box.width}x${d.box.height}@${d.score.toFixed(2)}`);
        console.log(g.file, JSON.stringify(f.box), f.pose, f.occlusion, f.blur, 'share', share.toFixed(2), 'near', near.join(' '));
      }
    }
  }
  await engine.close();
})();
