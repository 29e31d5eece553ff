import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// Face worker processes (src/worker-main.ts through tsx), as `npm run worker` starts them: each
// loads the real models, so starting one costs seconds; tests share them across a file.

export interface WorkerProcess {
  /** The worker's id in Redis (BullMQ's processedBy). */
  id: string;
  child: ChildProcess;
  log: () => string;
  /** SIGKILL, as a crash or the OOM killer would. */
  kill(): Promise<void>;
  /** SIGTERM, as `docker stop` would; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const root = path.resolve(__dirname, '..', '..');

export function startWorker(redisUrl: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'src', 'worker-main.ts')], {
    cwd: root,
    env: { ...process.env, REDIS_URL: redisUrl, FACE_WORKERS: '1', LOG_LEVEL: 'info', QUEUE_LOCK_SECONDS: '3', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`face worker did not start:\n${out}`)), 150_000);
    const onData = () => {
      const ready = /"worker":"([^"]+)"[^\n]*"msg":"face worker ready"/.exec(out);
      if (!ready) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        id: ready[1]!, child, log: () => out,
        kill: async () => { child.kill('SIGKILL'); await exited; },
        stop: async () => { child.kill('SIGTERM'); return exited; },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`face worker exited (${code}):\n${out}`)); });
  });
}
