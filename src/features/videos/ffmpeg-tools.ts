// Which ffmpeg/ffprobe the service runs: the system's where present (Debian's package, the
// Dockerfile installs it), else the static binaries of the optional npm packages
// @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe. Chosen once at start-up and named in
// the start-up log; nothing is downloaded at run time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** 'system' or 'npm', and the version line, for the start-up log. */
  source: 'system' | 'npm';
  version: string;
}

function versionOf(binary: string): string | null {
  const r = spawnSync(binary, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || !r.stdout) return null;
  return r.stdout.split('\n')[0]!.replace(/ Copyright.*$/, '').trim();
}

function fromPackage(name: string): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = (require(name) as { path?: string }).path;
    if (!p) return null;
    fs.accessSync(p, fs.constants.X_OK);
    return p;
  } catch {
    return null;
  }
}

const found = new Map<string, FfmpegTools | { problem: string }>();

/** The tools to use, or a reason why videos cannot be checked (looked up once per process).
 *  `prefer` is for tests and the bench. */
export function findFfmpegTools(prefer: 'system' | 'npm' | 'auto' = 'auto'): FfmpegTools | { problem: string } {
  if (!found.has(prefer)) found.set(prefer, lookUp(prefer));
  return found.get(prefer)!;
}

/** For the start-up log: which ffmpeg, or why none. */
export const describeTools = (t: FfmpegTools | { problem: string }): string =>
  'problem' in t ? `unavailable: ${t.problem}` : `${t.source} ${t.version}`;

function lookUp(prefer: 'system' | 'npm' | 'auto'): FfmpegTools | { problem: string } {
  if (prefer !== 'npm') {
    const version = versionOf('ffmpeg');
    if (version && versionOf('ffprobe')) return { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', source: 'system', version };
  }
  if (prefer !== 'system') {
    const ffmpeg = fromPackage('@ffmpeg-installer/ffmpeg');
    const ffprobe = fromPackage('@ffprobe-installer/ffprobe');
    const version = ffmpeg && ffprobe ? versionOf(ffmpeg) : null;
    if (ffmpeg && ffprobe && version && versionOf(ffprobe)) return { ffmpeg, ffprobe, source: 'npm', version };
  }
  return { problem: 'no ffmpeg/ffprobe found (install ffmpeg, or let npm install the optional @ffmpeg-installer packages)' };
}
