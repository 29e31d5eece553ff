// npm run bench -- --video [--runs N] [--quick] [--only exposure|jobs] [--every-per-second 3,6]
// 1. Whole video jobs through the service (ctx.videos: probe, detect + track, decide, blur,
//    encode) on clips made here from the face-api sample photos (a pan over two samples side by
//    side: 5-15 faces in view): 1080p30 and 720p30, 30 s each. Time from submission to done,
//    and peak RSS of the job: this process (engine threads included) plus its ffmpeg children.
// 2. Exposure on a pan-and-zoom clip made from an eval crowd photo (../shared/eval, read at bench
//    time only), faces with known boxes in every frame: the share of faces left sharp in any
//    frame, for several detection intervals, against the same photo checked as a photo.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createFaceEngine } from '../src/features/faces/engine';
import type { FaceEngine } from '../src/features/faces/types';
import { findFfmpegTools, type FfmpegTools } from '../src/features/videos/ffmpeg-tools';
import { DEFAULT_VIDEO_LIMITS, inspectVideo } from '../src/features/videos/probe';
import { detectTracks, regionsAt, DEFAULT_DETECTIONS_PER_SECOND } from '../src/features/videos/video-pipeline';
import { createTestWorld, signIn } from '../tests/helpers/context';
import { samplePath } from '../tests/helpers/photos';
import { coveredShare, COVERED_SHARE, rectFromXywh, type Rect } from './eval-metrics';
import { median } from './throughput';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runs = argv.includes('--runs') ? Math.max(1, Number(argv[argv.indexOf('--runs') + 1])) : quick ? 1 : 3;
const seconds = quick ? 10 : 30;
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const perSecondList = argv.includes('--every-per-second')
  ? argv[argv.indexOf('--every-per-second') + 1]!.split(',').map(Number)
  : quick ? [DEFAULT_DETECTIONS_PER_SECOND] : [30, 6, 3, 2];
const EVAL = path.resolve(__dirname, '..', '..', 'shared', 'eval');
const CROWD = 'groups/widerface__val_images__12_Group_Large_Group_12_Group_Large_Group_12_253.jpg';

const mib = (b: number) => Math.round(b / 2 ** 20);

/** RSS of this process plus its children (ffmpeg), read from /proc. Never by running `ps`: a
 *  synchronous fork of this large process every 200 ms stalled the event loop that feeds
 *  ffmpeg's pipes and made the jobs several times slower than they are. */
function treeRss(): number {
  let total = process.memoryUsage().rss;
  const rssOf = (pid: string) => {
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch { return 0; } // exited meanwhile
  };
  try {
    for (const task of fs.readdirSync('/proc/self/task')) {
      for (const pid of fs.readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) total += rssOf(pid);
    }
  } catch { /* no /proc: this process only */ }
  return total;
}

function makeSampleClip(dir: string, width: number, height: number): string {
  const out = path.join(dir, `pan-${height}p.mp4`);
  if (fs.existsSync(out)) return out;
  // Two samples side by side (sample1 and sample5: 11 faces), 1.25x the frame's height, panned
  // left to right and back over the clip.
  const h = Math.round(height * 1.25 / 2) * 2;
  execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-loop', '1', '-i', samplePath(1), '-loop', '1', '-i', samplePath(5),
    '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000', '-t', String(seconds),
    '-filter_complex', `[0]scale=-2:${h}[a];[1]scale=-2:${h}[b];[a][b]hstack,crop=${width}:${height}:x='(iw-${width})*(0.5-0.5*cos(2*PI*t/${seconds}))':y='(ih-${height})/2',fps=30,format=yuv420p[v]`,
    '-map', '[v]', '-map', '2:a', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', '-movflags', '+faststart', out]);
  return out;
}

async function wholeJobs(engine: FaceEngine, dir: string) {
  const world = createTestWorld({ engine, config: { VIDEO_MAX_MB: '2000' } });
  const parent = await signIn(world, 'parent');
  const results: Record<string, unknown> = {};
  for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
    const clip = makeSampleClip(dir, w, h);
    const times: number[] = [];
    const peaks: number[] = [];
    let counts: Record<string, number> = {};
    for (let r = 0; r < runs; r += 1) {
      const upload = world.ctx.videos.newUploadDir();
      fs.copyFileSync(clip, path.join(upload, 'upload'));
      const base = treeRss();
      let peak = base;
      const timer = setInterval(() => { peak = Math.max(peak, treeRss()); }, 200);
      const t0 = performance.now();
      const job = await world.ctx.videos.submit(parent.id, { dir: upload, file: path.join(upload, 'upload') }, { mode: 'standard' });
      let state = world.ctx.jobs.get(job.id)!;
      while (state.state === 'queued' || state.state === 'running') {
        await new Promise((res) => setTimeout(res, 200));
        state = world.ctx.jobs.get(job.id)!;
      }
      const ms = performance.now() - t0;
      clearInterval(timer);
      if (state.state !== 'done') throw new Error(`job ${state.state}: ${state.errorCode}`);
      times.push(ms);
      peaks.push(peak);
      counts = state.counts;
      console.log(`${h}p30 ${seconds}s run ${r + 1}: ${(ms / 1000).toFixed(1)} s, peak RSS ${mib(peak)} MiB (before the job ${mib(base)} MiB), ${JSON.stringify(counts)}`);
      world.ctx.videos.remove(parent.id, job.id);
    }
    results[`${h}p`] = { medianSeconds: median(times) / 1000, runs: times.map((t) => t / 1000), peakRssMiB: mib(Math.max(...peaks)), counts };
    console.log(`${h}p30 ${seconds}s: median ${(median(times) / 1000).toFixed(1)} s over ${runs} run(s), peak RSS ${mib(Math.max(...peaks))} MiB`);
  }
  return results;
}

interface Truth { box: Rect }

/** A pan-and-zoom clip over the crowd photo (frames made here, so each face's box in each frame
 *  is known): 1280x720, 30 fps, 4 s, from the whole width down to 60% of it. */
async function crowdClip(tools: FfmpegTools, dir: string): Promise<{ file: string; frames: Array<(r: Rect) => Rect>; photo: Buffer; truths: Truth[] }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(EVAL, 'manifest.json'), 'utf8')) as { groups: Array<{ file: string; faces: Array<{ box?: [number, number, number, number]; ignore?: boolean }> }> };
  const group = manifest.groups.find((g) => g.file === CROWD)!;
  const truths = group.faces.filter((f) => f.box && !f.ignore).map((f) => ({ box: rectFromXywh(f.box!) }));
  const photo = fs.readFileSync(path.join(EVAL, CROWD));
  const meta = await sharp(photo).metadata();
  const W = 1280; const H = 720; const N = 120;
  const file = path.join(dir, 'crowd.mp4');
  const transforms: Array<(r: Rect) => Rect> = [];
  const raw: Buffer[] = [];
  for (let n = 0; n < N; n += 1) {
    const t = n / (N - 1);
    const cw = meta.width! * (1 - 0.4 * t);
    const ch = cw * H / W;
    const cx = (meta.width! - cw) * (0.3 + 0.4 * t);
    const cy = Math.max(0, Math.min(meta.height! - ch, (meta.height! - ch) * 0.4));
    const left = Math.round(cx); const top = Math.round(cy);
    const width = Math.round(cw); const height = Math.min(meta.height! - top, Math.round(ch));
    raw.push(await sharp(photo).extract({ left, top, width, height }).resize(W, H, { fit: 'fill' }).removeAlpha().raw().toBuffer());
    const sx = W / width; const sy = H / height;
    transforms.push((r) => ({ x: (r.x - left) * sx, y: (r.y - top) * sy, width: r.width * sx, height: r.height * sy }));
  }
  const yuv = Buffer.concat(raw);
  execFileSync(tools.ffmpeg, ['-hide_banner', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '30', '-i', 'pipe:0',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', file], { input: yuv, maxBuffer: 1 << 30 });
  return { file, frames: transforms, photo, truths };
}

async function exposure(engine: FaceEngine, tools: FfmpegTools, dir: string) {
  const clip = await crowdClip(tools, dir);
  // The photo figure: the same faces, the original photo checked as a photo.
  const a = await engine.analyse(clip.photo);
  const photoExposed = clip.truths.filter((f) => coveredShare(f.box, a.faces.map((x) => x.blurRegion)) < COVERED_SHARE).length;
  console.log(`\nexposure, ${clip.truths.length} faces of ${path.basename(CROWD)}`);
  console.log(`photo (the crowd photo checked as a photo): ${photoExposed}/${clip.truths.length} exposed (${(100 * photoExposed / clip.truths.length).toFixed(1)}%)`);
  const info = await inspectVideo(tools, clip.file, { ...DEFAULT_VIDEO_LIMITS, maxSeconds: 600 });
  const out: Record<string, unknown> = { photo: { exposed: photoExposed, faces: clip.truths.length } };
  for (const perSecond of perSecondList) {
    const every = Math.max(1, Math.round(info.fps / perSecond));
    const t0 = performance.now();
    const detected = await detectTracks({ tools, file: clip.file, info, engine, every, parallel: Math.min(2, engine.workers), signal: new AbortController().signal, onProgress: () => undefined });
    const ms = performance.now() - t0;
    // No one is enrolled: every track is blurred, as for a stranger.
    const plan = { detected, blurred: detected.tracks };
    const everExposed = new Set<number>();
    let pairs = 0; let exposedPairs = 0; let atEdge = 0;
    clip.frames.forEach((toFrame, n) => {
      const regions = regionsAt(plan, n, info.width, info.height);
      clip.truths.forEach((f, i) => {
        const b = toFrame(f.box);
        // Faces at least half inside the picture count.
        const inside = coveredShare(b, [{ x: 0, y: 0, width: info.width, height: info.height }]);
        if (inside < 0.5) return;
        pairs += 1;
        // Of a face cut by the edge, what is in the picture must be covered.
        const seenPart = { x: Math.max(0, b.x), y: Math.max(0, b.y), width: Math.min(info.width, b.x + b.width) - Math.max(0, b.x), height: Math.min(info.height, b.y + b.height) - Math.max(0, b.y) };
        if (coveredShare(seenPart, regions) < COVERED_SHARE) { exposedPairs += 1; everExposed.add(i); if (inside < 1) atEdge += 1; }
      });
    });
    const seen = new Set(clip.truths.map((_, i) => i).filter((i) => clip.frames.some((tf) => coveredShare(tf(clip.truths[i]!.box), [{ x: 0, y: 0, width: info.width, height: info.height }]) >= 0.5)));
    console.log(`video, detect every ${every} frame(s) (${perSecond}/s): ${everExposed.size}/${seen.size} faces exposed in some frame (${(100 * everExposed.size / seen.size).toFixed(1)}%), ${exposedPairs}/${pairs} face-frames (${(100 * exposedPairs / pairs).toFixed(2)}%; ${atEdge} of them cut by the frame's edge), ${detected.detections} detections in ${(ms / 1000).toFixed(1)} s`);
    out[`every${every}`] = { everExposed: everExposed.size, faces: seen.size, exposedFaceFrames: exposedPairs, atEdge, faceFrames: pairs, detections: detected.detections, seconds: ms / 1000 };
  }
  return out;
}

export async function videoBench(): Promise<void> {
  const tools = findFfmpegTools();
  if ('problem' in tools) throw new Error(tools.problem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-vbench-'));
  const workers = os.availableParallelism();
  const engine = await createFaceEngine({ workers });
  console.log(`video bench: ${tools.source} ${tools.version}; engine ${engine.detector}/${engine.describer} on ${workers} workers; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const results: Record<string, unknown> = {};
  if (only !== 'jobs') results.exposure = fs.existsSync(EVAL) ? await exposure(engine, tools, dir) : 'skipped: ../shared/eval not found';
  if (only !== 'exposure') results.jobs = await wholeJobs(engine, dir);
  await engine.close();
  const file = path.join(__dirname, 'results', `video-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ runs, seconds, load: os.loadavg(), results }, null, 2));
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; written ${path.relative(process.cwd(), file)}`);
  fs.rmSync(dir, { recursive: true, force: true });
}
