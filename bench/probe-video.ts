// Where a video job's time goes: detect (ffmpeg JPEGs -> engine) vs render (decode, blur, encode).
// npx tsx bench/probe-video.ts <clip>
import os from 'node:os';
import path from 'node:path';
import { createFaceEngine } from '../src/features/faces/engine';
import { findFfmpegTools } from '../src/features/videos/ffmpeg-tools';
import { DEFAULT_VIDEO_LIMITS, inspectVideo } from '../src/features/videos/probe';
import { detectEvery, detectTracks, renderSafeVideo } from '../src/features/videos/video-pipeline';

async function main() {
  const file = process.argv[2]!;
  const tools = findFfmpegTools();
  if ('problem' in tools) throw new Error(tools.problem);
  const engine = await createFaceEngine({ workers: 2 });
  const info = await inspectVideo(tools, file, { ...DEFAULT_VIDEO_LIMITS, maxSeconds: 600 });
  const signal = new AbortController().signal;
  let t = performance.now();
  const detected = await detectTracks({ tools, file, info, signal, onProgress: () => undefined, engine, every: detectEvery(info.fps), parallel: 2 });
  const detectMs = performance.now() - t;
  t = performance.now();
  await renderSafeVideo({ tools, file, info, signal, onProgress: () => undefined }, { detected, blurred: detected.tracks }, path.join(os.tmpdir(), 'probe-out.mp4'));
  const renderMs = performance.now() - t;
  console.log(JSON.stringify({ frames: info.frames, detections: detected.detections, tracks: detected.tracks.length, detectMs: Math.round(detectMs), perDetectionMs: Math.round(detectMs / detected.detections), renderMs: Math.round(renderMs) }));
  await engine.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
