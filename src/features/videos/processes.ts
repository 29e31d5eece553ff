// Child processes for ffmpeg: spawned without a shell, killed when the job is aborted, their
// exit awaited. stderr is kept (last few KB) for the log's error line only.
import { spawn, type ChildProcess } from 'node:child_process';
import { AppError } from '../../platform/errors';

export interface Running {
  child: ChildProcess;
  /** Resolves on exit code 0; rejects otherwise (or when aborted). */
  done: Promise<void>;
}

export function runTool(binary: string, args: string[], signal: AbortSignal, stdin: 'pipe' | 'ignore' = 'ignore'): Running {
  const child = spawn(binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args].filter((a) => !(stdin === 'pipe' && a === '-nostdin')), {
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-4000); });
  const kill = () => child.kill('SIGKILL');
  signal.addEventListener('abort', kill, { once: true });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => {
      signal.removeEventListener('abort', kill);
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve();
      reject(new AppError('video_failed', 422, 'This video could not be read to the end; it may be damaged. No copy was made.', { code, sig, stderr }));
    });
  });
  done.catch(() => undefined);
  return { child, done };
}

/** Splits a stream of concatenated JPEGs (ffmpeg's image2pipe) into whole images. An EOI marker
 *  (FF D9) cannot occur inside a JPEG's entropy-coded data (FF is always stuffed there). */
export async function* jpegFrames(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let scanned = 1; // bytes of `pending` already searched for an EOI
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let i = scanned; i < pending.length; i += 1) {
      if (pending[i - 1] === 0xff && pending[i] === 0xd9) {
        yield pending.subarray(start, i + 1);
        start = i + 1;
        i += 1;
      }
    }
    pending = pending.subarray(start);
    scanned = Math.max(1, pending.length);
  }
}

/** Splits a raw video stream into frames of `size` bytes (one reused buffer per frame would
 *  race with the consumer, so each frame is its own). */
export async function* rawFrames(stream: AsyncIterable<Buffer>, size: number): AsyncGenerator<Uint8Array> {
  let frame = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const chunk of stream) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(size - filled, chunk.length - offset);
      chunk.copy(frame, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === size) {
        yield frame;
        frame = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
}
