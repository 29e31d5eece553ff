import fs from 'node:fs';
import { createTestWorld, signIn } from '../helpers/context';
import { sample } from '../helpers/photos';
import { makeClip, tmpDir } from '../videos/clips';

const HTML = { Accept: 'text/html' };

test('when a parent uses the video pages without JavaScript, then they upload, follow the check and find it again in their list', async () => {
  const world = createTestWorld(); // no engine: the check runs and fails closed
  const parent = await signIn(world, 'parent');
  const page = await parent.agent.get('/videos').set(HTML).expect(200);
  expect(page.text).toContain('href="/videos" aria-current="page"');
  expect(page.text).toMatch(/action="\/videos" enctype="multipart\/form-data">\s*<input type="hidden" name="_csrf"/);
  expect(page.text).toContain('You have not checked any videos yet.');

  // A photo is refused on the form itself, with the reason.
  const bad = await parent.agent.post('/videos').set(HTML).field('_csrf', parent.csrf).field('mode', 'standard')
    .attach('video', sample(1), { filename: 'clip.mp4', contentType: 'video/mp4' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('not an MP4 or MOV video');

  const clip = fs.readFileSync(makeClip(tmpDir(), 'c.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']));
  const sent = await parent.agent.post('/videos').set(HTML).field('_csrf', parent.csrf).field('mode', 'standard')
    .attach('video', clip, { filename: 'clip.mp4', contentType: 'video/mp4' }).expect(303);
  const id = /^\/videos\/([A-Za-z0-9_-]+)$/.exec(sent.headers.location!)![1]!;
  let shown = await parent.agent.get(sent.headers.location!).set(HTML).expect(200);
  for (let i = 0; i < 100 && shown.text.includes('id="video-progress"'); i += 1) {
    // While it runs, the page refreshes itself (no JS) and carries the API address for the script.
    expect(shown.text).toContain('<meta http-equiv="refresh" content="5">');
    expect(shown.text).toContain(`data-status-url="/api/videos/${id}"`);
    await new Promise((r) => setTimeout(r, 50));
    shown = await parent.agent.get(sent.headers.location!).set(HTML).expect(200);
  }
  expect(shown.text).toContain('The face checker failed, so no copy was made.');
  expect(shown.text).not.toContain('<video');
  const list = await parent.agent.get('/videos').set(HTML).expect(200);
  expect(list.text).toContain(`href="/videos/${id}"`);
  expect(list.text).toContain('Not checked');

  // It is among the parent's recent checks on the photo page too, beside photo checks.
  const checkPage = await parent.agent.get('/check').set(HTML).expect(200);
  expect(checkPage.text).toMatch(new RegExp(`<a href="/videos/${id}">Video</a><br><span class="small muted">Sent at \\d\\d:\\d\\d. Not checked</span>`));
  expect(checkPage.text).toContain(`action="/videos/${id}/delete"`);

  // Someone else's check is a plain 404, and they cannot delete it.
  const other = await signIn(world, 'parent');
  await other.agent.get(`/videos/${id}`).set(HTML).expect(404);
  await other.agent.post(`/videos/${id}/delete`).set(HTML).type('form').send({ _csrf: other.csrf }).expect(404);
  expect((await parent.agent.get('/check').set(HTML).expect(200)).text).toContain(`href="/videos/${id}"`);

  // "Delete now" takes it off the list.
  await parent.agent.post(`/videos/${id}/delete`).set(HTML).type('form').send({ _csrf: parent.csrf }).expect(303);
  expect((await parent.agent.get('/check').set(HTML).expect(200)).text).not.toContain(`href="/videos/${id}"`);
});
