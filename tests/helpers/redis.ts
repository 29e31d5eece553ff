import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// A real redis-server (Debian's package) on a free loopback port with a temp dir and no
// persistence, started and stopped by the tests. `restart()` keeps the port: what a service sees
// when its Redis is restarted (empty, since nothing is saved).

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export const hasRedis = (): boolean => fs.existsSync(REDIS_SERVER) || spawnSync('redis-server', ['--version']).status === 0;

/** `describe`, or a skip with a warning where redis-server is missing; on CI a failure. */
export function describeRedis(name: string, fn: () => void): void {
  if (hasRedis()) return describe(name, fn);
  if (process.env.CI) {
    describe(name, () => test('redis-server is installed', () => {
      throw new Error('redis-server is missing: apt-get install -y redis-server');
    }));
    return;
  }
  console.warn(`Skipping "${name}": redis-server is missing (apt-get install -y redis-server).`);
  describe.skip(name, fn);
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-redis-'));
  let child = await launch(port, dir);
  const stop = async () => {
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await stop();
      child = await launch(port, dir);
    },
  };
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const bin = fs.existsSync(REDIS_SERVER) ? REDIS_SERVER : 'redis-server';
  const child = spawn(bin, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
