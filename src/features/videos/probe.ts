// ffprobe's view of an upload, turned into the few facts the pipeline needs, or a clear 4xx.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import { AppError, unprocessable, unsupportedMediaType } from '../../platform/errors';
import { checkContainer } from './container';
import type { FfmpegTools } from './ffmpeg-tools';

const run = promisify(execFile);

export interface VideoLimits {
  maxSeconds: number;
  /** Longest side of the oriented picture, and its area: beyond them a "video" is absurd. */
  maxSide: number;
  maxPixels: number;
  maxFps: number;
}

export const DEFAULT_VIDEO_LIMITS: Omit<VideoLimits, 'maxSeconds'> = { maxSide: 4096, maxPixels: 4096 * 2304, maxFps: 240 };

export interface VideoInfo {
  /** Oriented (after the rotation the phone recorded), rounded down to even numbers. */
  width: number;
  height: number;
  fps: number;
  /** The frame rate as ffmpeg wrote it ("30000/1001"), for the encoder. */
  rate: string;
  durationSeconds: number;
  /** Frames in the file (the container's count, else duration x fps). */
  frames: number;
  hasAudio: boolean;
  audioCodec: string | null;
  videoCodec: string;
}

const stream = z.object({
  codec_type: z.string(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: z.string().optional(),
  nb_frames: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).passthrough()).optional(),
}).passthrough();
const probeOutput = z.object({
  streams: z.array(stream).default([]),
  format: z.object({ format_name: z.string(), duration: z.string().optional() }).passthrough(),
});

const notAVideo = (what?: string) => unsupportedMediaType(what
  ? `This file is ${what}, not an MP4 or MOV video. Upload the clip as your phone saved it (MP4 or MOV).`
  : 'This file is not an MP4 or MOV video. Upload the clip as your phone saved it (MP4 or MOV).');
const corrupt = () => unprocessable('corrupt_video', 'This video is damaged or incomplete (was the upload cut short?). Try uploading it again.');

const rate = (r: string | undefined): number => {
  const [n, d] = (r ?? '0/1').split('/').map(Number);
  return d ? n! / d : 0;
};

/** Checks an uploaded file and describes it; throws a 4xx AppError for anything that is not a
 *  whole, sensible MP4/MOV video within the limits. */
export async function inspectVideo(tools: FfmpegTools, file: string, limits: VideoLimits): Promise<VideoInfo> {
  const container = checkContainer(file);
  if (!container.ok) {
    if (container.problem === 'empty') throw new AppError('empty_upload', 400, 'The file is empty.');
    if (container.problem === 'truncated') throw corrupt();
    throw notAVideo(container.detected);
  }
  let json: unknown;
  try {
    const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { maxBuffer: 4 * 1024 * 1024, timeout: 60_000 });
    json = JSON.parse(stdout);
  } catch {
    throw corrupt();
  }
  const parsed = probeOutput.safeParse(json);
  if (!parsed.success) throw corrupt();
  const { streams, format } = parsed.data;
  // The bytes said MP4/MOV; ffprobe must agree (an MP4 box chain around something else fails here).
  if (!/\b(mov|mp4)\b/.test(format.format_name)) throw notAVideo();
  const video = streams.find((s) => s.codec_type === 'video' && s.codec_name !== 'mjpeg' && s.codec_name !== 'png');
  if (!video || !video.width || !video.height || !video.codec_name) {
    throw unprocessable('no_video_stream', 'This file has no video picture in it (only sound, or nothing). Upload a video clip.');
  }
  const audio = streams.find((s) => s.codec_type === 'audio');
  const duration = Number(format.duration ?? video.duration ?? NaN);
  if (!Number.isFinite(duration) || duration <= 0) throw corrupt();
  if (duration > limits.maxSeconds + 0.5) {
    throw new AppError('video_too_long', 413, `This clip is ${Math.round(duration)} seconds long; clips of up to ${limits.maxSeconds} seconds can be checked. Trim it on your phone first.`);
  }
  const rotation = Math.abs(video.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? Number(video.tags?.rotate ?? 0)) % 180;
  const [w, h] = rotation === 90 ? [video.height, video.width] : [video.width, video.height];
  const fps = rate(video.avg_frame_rate) || rate(video.r_frame_rate);
  if (Math.max(w, h) > limits.maxSide || w * h > limits.maxPixels || Math.min(w, h) < 16) {
    throw unprocessable('video_resolution', `This video is ${w}x${h} pixels; videos from 16 pixels up to ${limits.maxSide} pixels on the longer side (4K) can be checked.`);
  }
  if (!(fps >= 1 && fps <= limits.maxFps)) {
    throw unprocessable('video_frame_rate', `This video has ${Math.round(fps)} frames a second; up to ${limits.maxFps} can be checked.`);
  }
  return {
    width: w - (w % 2), height: h - (h % 2), fps, rate: rate(video.avg_frame_rate) ? video.avg_frame_rate! : video.r_frame_rate!, durationSeconds: duration, frames: Math.max(1, Number(video.nb_frames) || Math.round(duration * fps)),
    hasAudio: audio !== undefined, audioCodec: audio?.codec_name ?? null, videoCodec: video.codec_name,
  };
}
