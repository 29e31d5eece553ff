import fs from 'node:fs';
import path from 'node:path';
import { createTestWorld, signIn, type SignedIn, type TestWorld } from '../helpers/context';
import { engineFailed } from '../../src/platform/errors';
import { unavailableEngine } from '../../src/features/faces/unavailable-engine';
import { sample } from '../helpers/photos';
import { makeClip, tmpDir } from './clips';

// Bad input is refused at once with a clear 4xx, and nothing of it stays on disk. No face engine
// is needed: these never become a job. (The engine-failure case at the end starts a job.)

let dir: string;
const lavfi = (video: string, seconds: number, extra: string[] = []) =>
  ['-f', 'lavfi', '-i', `${video}:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...extra];
let good: Buffer;

beforeAll(() => {
  dir = tmpDir();
  good = fs.readFileSync(makeClip(dir, 'good.mp4', [...lavfi('testsrc=size=320x240:rate=10', 2), '-f', 'mp4']));
});

function leftovers(world: TestWorld): string[] {
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d) : []);
  return [...list(path.join(world.config.UPLOADS_DIR, 'video-uploads')), ...list(path.join(world.config.UPLOADS_DIR, 'videos'))];
}

const upload = (user: SignedIn, bytes: Buffer, name = 'clip.mp4', type = 'video/mp4') =>
  user.agent.post('/api/videos').set('x-csrf-token', user.csrf).attach('video', bytes, { filename: name, contentType: type });

const cases: Array<{ when: string; file: () => Buffer; status: number; code: string; config?: Record<string, string>; name?: string }> = [
  { when: 'the file is a photo named like a video', file: () => sample(1), status: 415, code: 'unsupported_media_type' },
  { when: 'the file is empty', file: () => Buffer.alloc(0), status: 400, code: 'empty_upload' },
  { when: 'the upload was cut short', file: () => good.subarray(0, Math.floor(good.length * 0.6)), status: 422, code: 'corrupt_video' },
  { when: 'the file has sound but no picture', status: 422, code: 'no_video_stream',
    file: () => fs.readFileSync(makeClip(dir, 'sound.mp4', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', '-f', 'mp4'])) },
  { when: 'the clip is longer than VIDEO_MAX_SECONDS', file: () => good, status: 413, code: 'video_too_long', config: { VIDEO_MAX_SECONDS: '1' } },
  { when: 'the upload is larger than VIDEO_MAX_MB (declared)', status: 413, code: 'payload_too_large', config: { VIDEO_MAX_MB: '1' },
    file: () => Buffer.concat([good, Buffer.alloc(2 * 1024 * 1024)]) },
  { when: 'the upload is larger than VIDEO_MAX_MB (found while reading)', status: 413, code: 'payload_too_large', config: { VIDEO_MAX_MB: '1' },
    file: () => Buffer.concat([good, Buffer.alloc(1024 * 1024 + 20 * 1024 - good.length)]) },
  { when: 'the picture is absurdly wide', status: 422, code: 'video_resolution',
    file: () => fs.readFileSync(makeClip(dir, 'wide.mp4', [...lavfi('testsrc=size=4400x64:rate=5', 0.4), '-f', 'mp4'])) },
  { when: 'the frame rate is absurd', status: 422, code: 'video_frame_rate',
    file: () => fs.readFileSync(makeClip(dir, 'fast.mp4', [...lavfi('testsrc=size=64x64:rate=1000', 0.05), '-f', 'mp4'])) },
  { when: 'a Matroska file claims to be MP4', status: 415, code: 'unsupported_media_type',
    file: () => fs.readFileSync(makeClip(dir, 'real.mkv', [...lavfi('testsrc=size=320x240:rate=10', 1), '-f', 'matroska'])) },
  { when: 'the form has no file', status: 400, code: 'bad_request', file: () => Buffer.alloc(0), name: '' },
];

test.each(cases)('when $when, then $status $code and nothing stays on disk', async (c) => {
  const world = createTestWorld({ config: c.config });
  const parent = await signIn(world, 'parent');
  const res = c.name === ''
    ? await parent.agent.post('/api/videos').set('x-csrf-token', parent.csrf).field('mode', 'standard')
    : await upload(parent, c.file(), c.name);
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: c.status, code: c.code });
  expect(res.body.error.message.length).toBeGreaterThan(10);
  // The response is sent before the folder is removed ('close'); give it a tick.
  await new Promise((r) => setTimeout(r, 50));
  expect(leftovers(world)).toEqual([]);
  expect((await parent.agent.get('/api/videos').expect(200)).body.videos).toEqual([]);
});

test('when the Matroska file is refused, then the message says what it really is', async () => {
  const world = createTestWorld();
  const parent = await signIn(world, 'parent');
  const res = await upload(parent, fs.readFileSync(path.join(dir, 'real.mkv')));
  expect(res.body.error.message).toContain('WebM/Matroska');
});

test('when the face engine fails, then the whole clip fails with no output and nothing stays on disk', async () => {
  const world = createTestWorld(); // the engine is not running: every analysis fails
  const parent = await signIn(world, 'parent');
  const res = await upload(parent, good);
  expect(res.status).toBe(202);
  let body = res.body;
  for (let i = 0; i < 200 && body.state !== 'failed' && body.state !== 'done'; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
    body = (await parent.agent.get(`/api/videos/${res.body.id}`).expect(200)).body;
  }
  expect(body.state).toBe('failed');
  expect(body.error.code).toBe('engine_failed');
  expect(body.result).toBeUndefined();
  await parent.agent.get(`/api/videos/${res.body.id}/file`).expect(404);
  expect(leftovers(world)).toEqual([]);
});

test('when videos are being checked to the limit, then a new upload gets 503 busy with Retry-After before it is read', async () => {
  // An engine that holds every analysis until released keeps the first job running.
  let release!: () => void;
  const held = new Promise<never>((_, reject) => { release = () => reject(engineFailed()); });
  held.catch(() => undefined);
  const engine = { ...unavailableEngine('held'), problem: undefined, analyse: () => held };
  const world = createTestWorld({ engine, config: { VIDEO_QUEUE: '1', VIDEO_JOBS: '1' } });
  const parents = [await signIn(world, 'parent'), await signIn(world, 'parent'), await signIn(world, 'parent')];
  const first = await upload(parents[0]!, good);
  const second = await upload(parents[1]!, good);
  expect([first.status, second.status]).toEqual([202, 202]);
  const third = await upload(parents[2]!, good);
  expect(third.status).toBe(503);
  expect(third.body.error.code).toBe('busy');
  expect(third.headers['retry-after']).toBe('30');
  expect(leftovers(world).filter((f) => f.startsWith('u-'))).toHaveLength(2); // the two accepted uploads only
  release();
  await world.ctx.jobs.close();
  expect(leftovers(world)).toEqual([]);
  expect((await parents[1]!.agent.get(`/api/videos/${second.body.id}`)).body.state).toBe('failed');
});
