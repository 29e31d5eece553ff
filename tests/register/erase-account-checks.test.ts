// Erasing a parent's account takes their stored photo and video checks (safe copies on disk) with
// it, at once, rather than leaving them to their expiry. Real engine, real ffmpeg, through HTTP.
import fs from 'node:fs';
import path from 'node:path';
import { createFaceEngine } from '../../src/features/faces';
import type { FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, signIn, type SignedIn } from '../helpers/context';
import { sample } from '../helpers/photos';
import { makeClip, tmpDir } from '../videos/clips';

jest.setTimeout(120_000);

let engine: FaceEngine;
beforeAll(async () => {
  engine = await createFaceEngine({ workers: 1 });
}, 60_000);
afterAll(() => engine.close());

/** Every file under the uploads folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

async function videoDone(parent: SignedIn, id: string) {
  for (let i = 0; i < 600; i += 1) {
    const body = (await parent.agent.get(`/api/videos/${id}`).expect(200)).body;
    if (body.state !== 'queued' && body.state !== 'running') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('video check did not finish');
}

test('when the office erases a parent account, then that parent\'s stored photo and video checks are deleted at once, and another parent\'s stay', async () => {
  const world = createTestWorld({ engine });
  const office = await signIn(world, 'admin');
  const [leaving, staying] = [await signIn(world, 'parent'), await signIn(world, 'parent')];
  const checkOf = async (parent: SignedIn) => (await parent.agent.post('/api/checks').set('x-csrf-token', parent.csrf)
    .attach('photos', sample(1), { filename: 'IMG_1.jpg', contentType: 'image/jpeg' }).expect(201)).body;
  const [mine, theirs] = [await checkOf(leaving), await checkOf(staying)];
  const clip = fs.readFileSync(makeClip(tmpDir(), 'c.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']));
  const sent = await leaving.agent.post('/api/videos').set('x-csrf-token', leaving.csrf)
    .attach('video', clip, { filename: 'clip.mp4', contentType: 'video/mp4' }).expect(202);
  expect((await videoDone(leaving, sent.body.id)).state).toBe('done');
  const before = filesUnder(world.config.UPLOADS_DIR);
  expect(before.some((f) => f.startsWith(`videos/${sent.body.id}`))).toBe(true);
  expect(before.some((f) => f.startsWith(`${mine.id}/`))).toBe(true);
  expect(before.some((f) => f.startsWith(`${theirs.id}/`))).toBe(true);

  await office.agent.post(`/office/parents/${leaving.id}/erase`).type('form').send({ _csrf: office.csrf, understood: 'yes' }).expect(303);

  const after = filesUnder(world.config.UPLOADS_DIR);
  expect(after.filter((f) => f.startsWith(`videos/${sent.body.id}`) || f.startsWith(`${mine.id}/`))).toEqual([]);
  expect(after.some((f) => f.startsWith(`${theirs.id}/`))).toBe(true);
  expect(world.ctx.db.prepare('SELECT COUNT(*) FROM jobs WHERE id = ?').pluck().get(sent.body.id)).toBe(0);
  // The other parent still has their check.
  await staying.agent.get(`/api/checks/${theirs.id}`).expect(200);
  for (const action of ['checks.deleted', 'videos.deleted']) {
    expect(world.ctx.audit.list({ action })).toEqual([expect.objectContaining({ subjectType: 'user', subjectId: leaving.id, details: { count: 1, reason: 'account_erased' } })]);
  }
});
