// A clip in two passes over the file, each streamed through pipes (memory stays a few frames
// whatever the clip's length):
//  1. detect: ffmpeg hands over every k-th frame (and the last) as a JPEG; the face engine
//     analyses them, through the FaceEngine interface only, as it does photos; detections are
//     linked into tracks (tracks.ts).
//  2. render: ffmpeg decodes every frame to raw yuv420p; each is blurred where a blurred track's
//     mask lies (and, in "only my child" mode, everywhere outside the child's spotlight), and
//     piped into the encoder: H.264 MP4, audio kept, no metadata, rotation applied, faststart.
// Any failure (engine, decoder, encoder) rejects: the caller keeps no partial output.
import { once } from 'node:events';
import { AppError, engineFailed } from '../../platform/errors';
import { spotlightBlock, spotlightRegion } from '../faces/spotlight';
import type { Analysis, Box, FaceEngine } from '../faces/types';
import { blurFrame, frameBytes } from './frame-blur';
import type { FfmpegTools } from './ffmpeg-tools';
import { jpegFrames, rawFrames, runTool } from './processes';
import type { VideoInfo } from './probe';
import { boxAt, maskAt, Tracker, type Detection, type Track } from './tracks';

/** Detections per second of video. Chosen by measurement (docs/performance.md, `npm run bench
 *  -- --video`): with masks held between detections and `lead`/`tail` frames around them, more
 *  detections cost time without exposing fewer faces on the pan-and-zoom clip. */
export const DEFAULT_DETECTIONS_PER_SECOND = 3;
/** Frames a mask is kept beyond what the detection interval needs. */
const EXTRA_MASK_FRAMES = 3;
/** Seconds a mask is kept for a face first or last seen at the picture's edge. Measured on the
 *  pan-and-zoom crowd clip: every face-frame left exposed was a face cut by the edge, which the
 *  detector stops finding as it leaves (docs/performance.md). */
const EDGE_HOLD_SECONDS = 1.5;

export interface PipelineOptions {
  tools: FfmpegTools;
  file: string;
  info: VideoInfo;
  signal: AbortSignal;
  /** 0..1 of this pass. */
  onProgress(fraction: number): void;
}

/** Detection interval in frames for a clip. */
export const detectEvery = (fps: number, perSecond = DEFAULT_DETECTIONS_PER_SECOND): number => Math.max(1, Math.round(fps / perSecond));

export interface Detected {
  tracks: readonly Track[];
  every: number;
  /** Frames a mask is held for a face at the picture's edge. */
  edgeHold: number;
  /** Index of the last frame the engine examined (the clip's last frame). */
  lastExamined: number;
  detections: number;
}

async function analyse(engine: FaceEngine, jpeg: Buffer, signal: AbortSignal): Promise<Analysis> {
  // The engine's queue is shared with photo checks: when it is momentarily full, wait a little
  // rather than fail a long job.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await engine.analyse(jpeg, { magnify: false });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'busy' || attempt >= 60 || signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function detectTracks(o: PipelineOptions & { engine: FaceEngine; every: number; parallel: number }): Promise<Detected> {
  const { info, every } = o;
  const stop = new AbortController();
  const onAbort = () => stop.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  // Every k-th frame, and every frame of the last stretch (only the very last is analysed), so a
  // face entering in the clip's final frames is found too.
  const tailFrom = Math.max(0, info.frames - every - 4);
  const tool = runTool(o.tools.ffmpeg, [
    '-i', o.file, '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', `select='not(mod(n\\,${every}))+gte(n\\,${tailFrom})',scale=${info.width}:${info.height}`,
    '-vsync', '0', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '2', 'pipe:1',
  ], stop.signal);
  const found: Array<{ frame: number; analysis: Analysis }> = [];
  const inflight = new Set<Promise<void>>();
  const expected = Math.ceil(info.frames / every) + 1;
  // The first failure is kept here: a rejected analysis must fail the clip even when it settles
  // while nobody is awaiting it (fail closed: a frame never counts as "no faces" by omission).
  let failure: { err: unknown } | null = null;
  let launched = 0;
  const launch = (jpeg: Buffer, frame: number) => {
    launched += 1;
    const p = analyse(o.engine, jpeg, stop.signal).then((analysis) => {
      found.push({ frame, analysis });
      o.onProgress(Math.min(1, found.length / expected));
    }, (err: unknown) => { failure ??= { err }; });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const settle = async (limit: number) => {
    while (inflight.size > limit && !failure) await Promise.race(inflight);
    if (failure) throw failure.err;
  };
  let n = -1;
  let held: { jpeg: Buffer; frame: number } | null = null;
  try {
    for await (const jpeg of jpegFrames(tool.child.stdout!)) {
      // The i-th picture out of the select filter is the i-th frame number it lets through.
      n = Math.min((Math.floor(n / every) + 1) * every, Math.max(n + 1, tailFrom));
      if (n % every === 0) {
        held = null;
        await settle(o.parallel - 1);
        launch(Buffer.from(jpeg), n);
      } else {
        held = { jpeg: Buffer.from(jpeg), frame: n };
      }
    }
    await tool.done;
    if (held) launch(held.jpeg, held.frame);
    await settle(0);
    if (found.length !== launched) throw engineFailed();
  } catch (err) {
    stop.abort(err);
    throw o.signal.aborted ? o.signal.reason : err;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
  if (n < 0) throw new AppError('corrupt_video', 422, 'No picture could be read from this video. No copy was made.');
  found.sort((a, b) => a.frame - b.frame);
  const tracker = new Tracker();
  for (const { frame, analysis } of found) {
    // The engine examined the frame at its own size (never larger than the frame here).
    const sx = info.width / analysis.width;
    const sy = info.height / analysis.height;
    const scale = (b: Box): Box => ({ x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy });
    tracker.add(analysis.faces.map((f): Detection => ({ frame, box: scale(f.box), score: f.score, descriptor: f.descriptor, region: scale(f.blurRegion) })));
  }
  return { tracks: tracker.tracks, every, edgeHold: Math.round(info.fps * EDGE_HOLD_SECONDS), lastExamined: n, detections: found.length };
}

export interface RenderPlan {
  detected: Detected;
  /** Tracks to blur in every frame they (may) appear in. */
  blurred: readonly Track[];
  /** "Only my child": the own child's tracks; everything outside their spotlight is destroyed. */
  spotlight?: readonly Track[];
}

/** The regions destroyed in frame `frame`: every blurred track's mask, or the whole picture
 *  past the last frame the engine examined (nothing is known there: fail closed). */
export function regionsAt(plan: RenderPlan, frame: number, width: number, height: number): Box[] {
  if (frame > plan.detected.lastExamined) return [{ x: 0, y: 0, width, height }];
  const margin = plan.detected.every + EXTRA_MASK_FRAMES;
  const o = { lead: margin, tail: margin, edgeHold: plan.detected.edgeHold, width, height };
  return plan.blurred.map((t) => maskAt(t, frame, o)).filter((r): r is Box => r !== null);
}

export async function renderSafeVideo(o: PipelineOptions, plan: RenderPlan, outFile: string): Promise<{ frames: number }> {
  const { info } = o;
  const size = { width: info.width, height: info.height };
  const decoder = runTool(o.tools.ffmpeg, [
    '-i', o.file, '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', `scale=${info.width}:${info.height},format=yuv420p`,
    '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
  ], o.signal);
  const audio = info.hasAudio
    ? ['-i', o.file, '-map', '1:a:0', ...(info.audioCodec === 'aac' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '128k'])]
    : [];
  const encoder = runTool(o.tools.ffmpeg, [
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${info.width}x${info.height}`, '-r', info.rate, '-i', 'pipe:0',
    ...audio, '-map', '0:v:0',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
    // No metadata of any kind: global (location, device, creation time), per stream, chapters.
    '-map_metadata', '-1', '-map_metadata:s:v', '-1', '-map_metadata:s:a', '-1', '-map_chapters', '-1',
    '-movflags', '+faststart', '-f', 'mp4', '-y', outFile,
  ], o.signal, 'pipe');
  encoder.child.stdin!.on('error', () => undefined); // a dead encoder is reported by encoder.done
  const blurredTracks = new Set(plan.blurred);
  const shown = plan.detected.tracks.filter((t) => !blurredTracks.has(t));
  let frame = 0;
  try {
    for await (const pixels of rawFrames(decoder.child.stdout!, frameBytes(size))) {
      const regions = regionsAt(plan, frame, info.width, info.height);
      const visible = shown.map((t) => boxAt(t, frame)).filter((b): b is Box => b !== null);
      blurFrame(pixels, size, regions, plan.spotlight ? spotlightAt(plan, frame, info.width, info.height) : undefined, visible);
      if (!encoder.child.stdin!.write(pixels)) await Promise.race([once(encoder.child.stdin!, 'drain'), encoder.done]);
      frame += 1;
      if (frame % 10 === 0) o.onProgress(Math.min(1, frame / info.frames));
    }
    await decoder.done;
    encoder.child.stdin!.end();
    await encoder.done;
  } catch (err) {
    encoder.child.kill('SIGKILL');
    decoder.child.kill('SIGKILL');
    throw o.signal.aborted ? o.signal.reason : err;
  }
  if (frame === 0) throw new AppError('corrupt_video', 422, 'No picture could be read from this video. No copy was made.');
  return { frames: frame };
}

function spotlightAt(plan: RenderPlan, frame: number, width: number, height: number): { keep: Box[]; block: number } {
  const own = plan.spotlight!.map((t) => boxAt(t, frame)).filter((b): b is Box => b !== null);
  const all = plan.detected.tracks.map((t) => boxAt(t, frame)).filter((b): b is Box => b !== null);
  const largest = all.reduce((m, b) => Math.max(m, b.width, b.height), 0);
  return { keep: own.map((b) => spotlightRegion(b, width, height)).filter((r) => r.width > 0 && r.height > 0), block: spotlightBlock(largest, width, height) };
}
