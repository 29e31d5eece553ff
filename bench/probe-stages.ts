// Where each millisecond of a 12 MP check goes (docs/performance.md, issue 9): the models run
// in this process (no worker) with the threads one worker gets, and every step of the pipeline
// is timed on its own: decodes, each YuNet tile (resample / network / decode+NMS), RetinaFace's
// passes, the merge, landmarks and descriptors, the worker message, pixelation and encode.
// Photos: face-api sample 1 upscaled to 12 MP (as bench.ts) and a 400-face crowd in a 4032 x
// 3024 frame (as bench.ts). Usage: npx tsx bench/probe-stages.ts [--runs N] [--threads N]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { MessageChannel } from 'node:worker_threads';
import sharp from 'sharp';
import { mergeDetections, withoutWeakContainers, yunetWholeScales, type Detection } from '../src/features/faces/detect-faces';
import { describeFaces } from '../src/features/faces/describe-faces';
import { loadOnnxFaceNets } from '../src/features/faces/face-nets';
import { toPlanar } from '../src/features/faces/planar-input';
import { decodeStride, loadRetinaFace, suppress, type RetinaFaceDetection } from '../src/features/faces/retinaface';
import { decodeForSafeCopy, encodeSafeCopy } from '../src/features/faces/safe-copy';
import { blurRegionFor } from '../src/features/faces/blur-geometry';
import { loadFaceApi } from '../src/features/faces/tf-backend';
import { decodeYuNetStride, loadYuNet, yunetTiles, type YuNetDetection } from '../src/features/faces/yunet';
import type { Box } from '../src/features/faces/types';
import type { RawImage } from '../src/features/faces/raw-image';
import { LIKELY_FACE_SCORE } from '../src/features/faces/types';
import { sample, cropFace } from '../tests/helpers/photos';
import { median } from './throughput';

const { values } = parseArgs({ options: { runs: { type: 'string' }, threads: { type: 'string' } } });
const runs = Number(values.runs ?? 3);
const threads = Number(values.threads ?? os.availableParallelism());

const times = new Map<string, number[]>();
async function timed<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const list = times.get(name) ?? [];
  list.push(performance.now() - t0);
  times.set(name, list);
  return r;
}

async function main() {
  console.log(`probe-stages: runs=${runs} threads=${threads} load=${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
  const retina = await loadRetinaFace(threads);
  const yunet = await loadYuNet(threads);
  const api = await loadFaceApi({ ssd: false });
  const nets = await loadOnnxFaceNets(api, threads);

  const photo12 = await sharp(sample(1)).resize(4240, 2832, { fit: 'inside' }).jpeg({ quality: 90 }).toBuffer();
  const crowd12 = await crowd(400, 7, async (buf) => (await analyseInline(buf, false)).map((d) => d.box));

  async function analyseInline(buf: Buffer, record: boolean, tag = ''): Promise<Detection[]> {
    const t = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => (record ? timed(`${tag}${name}`, fn) : fn());
    // One decode serves detection and the safe copy (safe-copy.ts offers it to the engine).
    const copy = await t('decode once (sharp, oriented sRGB raw at copy size)', () => decodeForSafeCopy(buf));
    await t('worker messages: pixels transferred there and back', () => transferOnce(copy));
    const image = { data: copy.data, width: copy.width, height: copy.height };
    const found: Detection[] = [];
    // The passes detectFaces makes on a photo larger than RetinaFace's 2048 px canvas:
    // RetinaFace's coarse pass (its fine pass only magnifies, so not here), YuNet's native tiles
    // and its whole-photo passes (YUNET_WHOLE_SIDES).
    const long = Math.max(image.width, image.height);
    const r0 = await retinaPass(image, 320 / long, (n, fn) => t(`RetinaFace coarse 320 px: ${n}`, fn));
    found.push(...r0.map((d) => ({ box: d.box, score: d.score, describeBox: d.box, fromTile: false })));
    const tiles = yunetTiles(image.width, image.height);
    let i = 0;
    for (const tile of tiles) {
      i += 1;
      const r = await yunetPass(image, tile, 1, (n, fn) => t(`YuNet tile ${i}/${tiles.length} ${tile.width}x${tile.height}: ${n}`, fn));
      found.push(...r.map((d) => ({ box: d.box, score: d.score, describeBox: d.box, fromTile: true })));
    }
    for (const scale of yunetWholeScales(image.width, image.height)) {
      const r = await yunetPass(image, { x: 0, y: 0, width: image.width, height: image.height }, scale, (n, fn) => t(`YuNet whole ${Math.round(scale * long)} px: ${n}`, fn));
      found.push(...r.map((d) => ({ box: d.box, score: d.score, describeBox: d.box, fromTile: true })));
    }
    const merged = await t('merge (containers + union NMS)', () => mergeDetections(withoutWeakContainers(found)));
    if (!record) return merged;
    const likely = merged.filter((d) => d.score >= LIKELY_FACE_SCORE);
    const timedNets = {
      kind: nets.kind,
      landmarks: (crops: RawImage[]) => t(`describe: 68 landmarks (${crops.length} crops of >= 40 px)`, () => nets.landmarks(crops)),
      descriptors: (crops: RawImage[]) => t(`describe: descriptors (${crops.length} aligned crops)`, () => nets.descriptors(crops)),
    };
    await t(`describe ${likely.length} likely faces, total (crops + nets)`, () => describeFaces(timedNets, image, likely.map((d) => d.describeBox)));
    const regions = merged.map((d) => blurRegionFor(d.box, image.width, image.height));
    const { destroyRegion } = await import('../src/features/faces/pixelate');
    await t(`pixelate ${regions.length} regions`, () => { for (const rg of regions) destroyRegion(copy, rg); });
    await t('encode JPEG q88 4:2:0 (sharp)', () => encodeSafeCopy(copy, []));
    return merged;
  }

  async function retinaPass(image: RawImage, scale: number, t: <T>(n: string, fn: () => Promise<T> | T) => Promise<T>) {
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    const inW = Math.ceil(width / 32) * 32;
    const inH = Math.ceil(height / 32) * 32;
    const input = await t('resample', () => toPlanar(image, { x: 0, y: 0, width: image.width, height: image.height }, width, height, inW, inH, 'rgb'));
    const out = await t('network', () => retina.session.run({ data: new retina.ort.Tensor('float32', input, [1, 3, inH, inW]) }));
    return t('decode + NMS', () => {
      const proposals: RetinaFaceDetection[] = [];
      for (const { stride, anchors } of [{ stride: 32, anchors: [512, 256] }, { stride: 16, anchors: [128, 64] }, { stride: 8, anchors: [32, 16] }]) {
        decodeStride(out[`face_rpn_cls_prob_reshape_stride${stride}`]!.data as Float32Array, out[`face_rpn_bbox_pred_stride${stride}`]!.data as Float32Array, { stride, anchors, cols: inW / stride, rows: inH / stride, minConfidence: 0.3 }, proposals);
      }
      return suppress(proposals, 0.4).map((p) => ({ box: { x: p.box.x / scale, y: p.box.y / scale, width: p.box.width / scale, height: p.box.height / scale }, score: p.score }));
    });
  }

  async function yunetPass(image: RawImage, area: Box, scale: number, t: <T>(n: string, fn: () => Promise<T> | T) => Promise<T>) {
    const width = Math.max(1, Math.round(area.width * scale));
    const height = Math.max(1, Math.round(area.height * scale));
    const inW = Math.ceil(width / 32) * 32;
    const inH = Math.ceil(height / 32) * 32;
    const input = await t('resample', () => toPlanar(image, area, width, height, inW, inH, 'bgr'));
    const out = await t('network', () => yunet.session.run({ input: new yunet.ort.Tensor('float32', input, [1, 3, inH, inW]) }));
    return t('decode + NMS', () => {
      const found: YuNetDetection[] = [];
      for (const stride of [8, 16, 32]) {
        decodeYuNetStride({ cls: out[`cls_${stride}`]!.data as Float32Array, obj: out[`obj_${stride}`]!.data as Float32Array, bbox: out[`bbox_${stride}`]!.data as Float32Array, kps: out[`kps_${stride}`]!.data as Float32Array },
          { stride, cols: inW / stride, rows: inH / stride, minConfidence: 0.2 }, found);
      }
      return (suppress(found, 0.3) as YuNetDetection[]).map((d) => ({ box: { x: area.x + d.box.x / scale, y: area.y + d.box.y / scale, width: d.box.width / scale, height: d.box.height / scale }, score: d.score }));
    });
  }

  for (const [name, buf] of [['12 MP, 1 face (sample 1 upscaled)', photo12], ['12 MP crowd, 400 faces', crowd12]] as const) {
    times.clear();
    for (let r = 0; r < runs; r += 1) await analyseInline(buf, true);
    console.log(`\n${name} (median of ${runs}, ms)`);
    let total = 0;
    for (const [k, v] of times) {
      const m = median(v);
      if (!k.startsWith('describe:')) total += m;
      console.log(`${m.toFixed(1).padStart(8)}  ${k}`);
    }
    console.log(`${total.toFixed(1).padStart(8)}  SUM (nested describe: lines counted once)`);
  }
}

/** The engine's round trip: the pixels' ArrayBuffer transferred to the worker and back. */
async function transferOnce(image: { data: Uint8Array }): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (buf: ArrayBuffer) => port2.postMessage(buf, [buf]));
  const back = await new Promise<ArrayBuffer>((resolve) => {
    port1.once('message', resolve);
    const own = image.data.buffer as ArrayBuffer;
    port1.postMessage(own, [own]);
  });
  image.data = new Uint8Array(back);
  port1.close();
  port2.close();
}

async function crowd(count: number, seed: number, detect: (b: Buffer) => Promise<Box[]>): Promise<Buffer> {
  let rnd = seed;
  const random = () => { rnd = (rnd * 1103515245 + 12345) % 2147483648; return rnd / 2147483648; };
  const faces: Array<{ photo: Buffer; box: Box }> = [];
  for (const n of [1, 2, 3, 4, 5, 6]) for (const box of await detect(sample(n))) faces.push({ photo: sample(n), box });
  const cols = Math.ceil(Math.sqrt(count * 1.5));
  const cell = 120;
  const layers: sharp.OverlayOptions[] = [];
  for (let i = 0; i < count; i += 1) {
    const src = faces[i % faces.length]!;
    const scale = Math.round(30 + random() * 30) / src.box.width;
    const crop = await cropFace(src.photo, src.box, 0.6);
    const meta = await sharp(crop).metadata();
    const w = Math.max(1, Math.round(meta.width! * scale));
    const h = Math.max(1, Math.round(meta.height! * scale));
    layers.push({ input: await sharp(crop).resize(w, h, { fit: 'fill' }).toBuffer(), left: Math.max(0, (i % cols) * cell + Math.round((cell - w) / 2)), top: Math.max(0, Math.floor(i / cols) * cell + Math.round((cell - h) / 2)) });
  }
  return sharp({ create: { width: 4032, height: 3024, channels: 3, background: '#8a9a7b' } }).composite(layers).jpeg({ quality: 90 }).toBuffer();
}

main().catch((err) => { console.error(err); process.exit(1); });
