// Test clips made here with ffmpeg from the face-api sample photos (no file is checked in).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { samplePath } from '../helpers/photos';

export const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-video-'));

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

/** The scene of sample5 (five faces) at half size, panning 2 px a frame: 896x640 at 10 fps with
 *  a 440 Hz tone, recorded as a phone records portrait video (pixels stored sideways with a
 *  rotation in the track header) and carrying device, location and creation-time metadata. */
export const PAN = { scale: 0.5, width: 896, height: 640, fps: 10, cropY: 20, pxPerFrame: 2 };

export function panClip(dir: string, seconds = 2, sampleNo = 5): string {
  const raw = path.join(dir, 'raw.mp4');
  ffmpeg(['-loop', '1', '-framerate', String(PAN.fps), '-i', samplePath(sampleNo), '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', String(seconds), '-vf', `scale=${1920 * PAN.scale}:-2,crop=${PAN.width}:${PAN.height}:x='${PAN.pxPerFrame}*n':y=${PAN.cropY},transpose=2`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-metadata', 'make=Apple', '-metadata', 'model=iPhone 15', '-metadata', 'location=+51.5000-000.1167/',
    '-metadata', 'creation_time=2026-06-01T10:00:00Z', '-movflags', 'use_metadata_tags', raw]);
  const out = path.join(dir, 'IMG_0042.MOV.mp4');
  fs.writeFileSync(out, withRotation(fs.readFileSync(raw)));
  return out;
}

/** Sets the first track's display matrix to "rotate 90 degrees clockwise to display", as an
 *  iPhone does for portrait video (ffmpeg 5 can no longer write it itself). */
function withRotation(mp4: Buffer): Buffer {
  const i = mp4.indexOf('tkhd');
  const version = mp4[i + 4]!;
  const at = i + 8 + (version === 1 ? 32 : 20) + 16;
  [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000].forEach((v, k) => mp4.writeInt32BE(v, at + k * 4));
  return mp4;
}

/** Any small clip, for the bad-input cases. */
export function makeClip(dir: string, name: string, args: string[]): string {
  const out = path.join(dir, name);
  ffmpeg([...args, out]);
  return out;
}

/** Every frame of a video as 8-bit grey, oriented as displayed. */
export function greyFrames(file: string, width: number, height: number): Buffer[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 1 << 30 });
  const size = width * height;
  return Array.from({ length: Math.floor(raw.length / size) }, (_, k) => raw.subarray(k * size, (k + 1) * size));
}

/** Mean absolute difference between horizontal neighbours inside a box: detail, which
 *  pixelating and blurring destroy. */
export function detail(frame: Buffer, width: number, box: { x: number; y: number; width: number; height: number }): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.round(box.y); y < Math.round(box.y + box.height); y += 1) {
    for (let x = Math.round(box.x); x + 1 < Math.round(box.x + box.width); x += 1) {
      sum += Math.abs(frame[y * width + x]! - frame[y * width + x + 1]!);
      n += 1;
    }
  }
  return n ? sum / n : 0;
}

export function ffprobeJson(file: string): { streams: Array<Record<string, unknown> & { codec_type: string; tags?: Record<string, string> }>; format: { tags?: Record<string, string>; format_name: string } } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { encoding: 'utf8' }));
}
