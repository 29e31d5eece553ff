import request from 'supertest';
import { createEvent } from '../events/factory';
import { createTestWorld, signIn } from '../helpers/context';

// Page routes that need no browser: redirects, forms without JS, error pages, escaping.

const HTML = { Accept: 'text/html' };

describe('web pages', () => {
  const world = createTestWorld({ config: { SCHOOL_NAME: 'St Mary <Primary>' } });

  test('when a signed-out visitor opens a parent page, then they are sent to sign in and come back after', async () => {
    const res = await request(world.app).get('/check').set(HTML).expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fcheck');
    const results = await request(world.app).get('/checks/abcdefghijklmnopqrstuvwxyz').set(HTML).expect(303);
    expect(results.headers.location).toBe('/login?next=%2Fchecks%2Fabcdefghijklmnopqrstuvwxyz');
    const link = await request(world.app).get('/e/abcdefghijklmnopqrstuvwxyz').set(HTML).expect(303);
    expect(link.headers.location).toBe('/login?next=%2Fe%2Fabcdefghijklmnopqrstuvwxyz');

    const { user } = world.ctx.accounts.createUserRecord({ email: 'p-next@example.test', name: 'P', role: 'parent' }, null);
    await world.ctx.accounts.setPassword(user.id, 'correct horse battery');
    const login = await request(world.app).post('/login').type('form')
      .send({ email: 'P-Next@example.test', password: 'correct horse battery', next: '/check' }).expect(303);
    expect(login.headers.location).toBe('/check');
    expect(login.headers['set-cookie']?.[0]).toMatch(/^ss_session=/);
  });

  test('when the sign-in page renders, then it is in en-GB with the school name escaped and no inline script or style', async () => {
    const res = await request(world.app).get('/login').set(HTML).expect(200);
    expect(res.text).toContain('<html lang="en-GB">');
    expect(res.text).toContain('St Mary &lt;Primary&gt;');
    expect(res.text).not.toMatch(/<script>|<style|style="/);
    expect(res.text).toContain('<main id="main"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  test('when the password is wrong or next points elsewhere, then the form says so and never redirects off-site', async () => {
    const parent = await signIn(world, 'parent');
    const bad = await request(world.app).post('/login').type('form').send({ email: parent.email, password: 'nope' }).expect(401);
    expect(bad.text).toContain('do not match');
    expect(bad.text).toContain(`value="${parent.email}"`);
    const offsite = await request(world.app).post('/login').type('form')
      .send({ email: parent.email, password: 'correct horse battery', next: '//evil.example/' }).expect(303);
    expect(offsite.headers.location).toBe('/check');
  });

  test('when a parent signs out, then the session ends and the form needs the CSRF token', async () => {
    const parent = await signIn(world, 'parent');
    await parent.agent.post('/logout').type('form').set(HTML).send({}).expect(403);
    const page = await parent.agent.get('/check').set(HTML).expect(200);
    expect(page.text).toContain('Sign out');
    expect(page.text).toContain(`name="_csrf" value="${parent.csrf}"`);
    // Multipart forms carry the token as their first field (never in the URL).
    expect(page.text).toMatch(new RegExp(`action="/check" enctype="multipart/form-data"[^>]*>\\s*<input type="hidden" name="_csrf" value="${parent.csrf}">`));
    const out = await parent.agent.post('/logout').type('form').send({ _csrf: parent.csrf }).expect(303);
    expect(out.headers.location).toBe('/login?signedOut');
    await parent.agent.get('/api/auth/me').expect(401);
  });

  test('when a page does not exist or a check is not yours, then a friendly 404 page shows, and the API still answers JSON', async () => {
    const parent = await signIn(world, 'parent');
    const missing = await parent.agent.get('/no-such-page').set(HTML).expect(404);
    expect(missing.headers['content-type']).toMatch(/html/);
    expect(missing.text).toContain('Page not found');
    expect(missing.text).toContain('Check photos');
    const check = await parent.agent.get('/checks/abcdefghijklmnopqrstuvwxyz').set(HTML).expect(404);
    expect(check.text).toContain('Page not found');
    const api = await parent.agent.get('/api/nothing').set(HTML).expect(404);
    expect(api.body.error.code).toBe('not_found');
  });

  test('when a parent opens an unknown event link, then a 404 page shows; the staff nav is not shown to parents', async () => {
    const parent = await signIn(world, 'parent');
    const res = await parent.agent.get('/e/abcdefghijklmnopqrstuvwxyz').set(HTML).expect(404);
    expect(res.text).not.toContain('/office/pupils');
    const admin = await signIn(world, 'admin');
    const home = await admin.agent.get('/').set(HTML).expect(303);
    expect(home.headers.location).toBe('/office');
  });

  test('when the check form is posted without photos, then the form comes back with a message', async () => {
    const parent = await signIn(world, 'parent');
    const res = await parent.agent.post('/check').set(HTML).field('_csrf', parent.csrf).field('mode', 'only_my_child').expect(400);
    expect(res.text).toContain('Choose at least one photo');
    expect(res.text).toMatch(/id="mode-only_my_child"[^>]*checked/);
  });

  test('when the zip of several checks is asked for with a bad or foreign id, then it is refused', async () => {
    const parent = await signIn(world, 'parent');
    await parent.agent.get('/api/checks/zip?ids=').expect(400);
    await parent.agent.get('/api/checks/zip?ids=abcdefghijklmnopqrstuvwxyz').expect(404);
    const doc = await request(world.app).get('/api/openapi.json').expect(200);
    expect(doc.body.paths['/api/checks/zip'].get.parameters[0].name).toBe('ids');
  });

  test('when a parent opens an event upload link, then the check page shows the event and sends its id; an expired link is a friendly 410', async () => {
    const admin = await signIn(world, 'admin');
    const event = await createEvent(admin, { name: 'Spring <concert>' });
    const adminUser = world.ctx.accounts.repo.userById(admin.id)!;
    const link = world.ctx.events.createUploadLink(adminUser, event.id, 1);
    const linkPath = new URL(link.url).pathname;
    const signedOut = await request(world.app).get(linkPath).set(HTML).expect(303);
    expect(signedOut.headers.location).toBe(`/login?next=${encodeURIComponent(linkPath)}`);

    const parent = await signIn(world, 'parent');
    const page = await parent.agent.get(linkPath).set(HTML).expect(200);
    expect(page.text).toContain('Spring &lt;concert&gt;');
    expect(page.text).toContain(`name="eventId" value="${event.id}"`);
    world.clock.advance(2 * 24 * 60 * 60 * 1000);
    const expired = await parent.agent.get(linkPath).set(HTML).expect(410);
    expect(expired.text).toContain('This upload link has expired');
  });
});
