import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { createFaceEngine } from '../../src/features/faces';
import type { FaceEngine } from '../../src/features/faces/types';
import { signIn } from '../helpers/context';
import { sample } from '../helpers/photos';
import { addPupil, linkParent } from '../helpers/register';
import { panClip, tmpDir } from '../videos/clips';
import { describeBrowser, startBrowserWorld, type BrowserWorld } from './harness';

// axe-core over every page (signed out, parent, school office, organiser) at 360x740 and at
// 1280 px: any violation of any impact fails, listed with the page and the elements.

jest.setTimeout(600_000);

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const VIEWPORTS = [{ width: 360, height: 740 }, { width: 1280, height: 900 }];

interface Violation { id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }

async function violations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (scripts from 'self' only) does not apply.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

describeBrowser('accessibility of every page (axe)', () => {
  let engine: FaceEngine;
  let bw: BrowserWorld;
  const pages: Record<'anonymous' | 'parent' | 'admin' | 'organiser', string[]> = { anonymous: [], parent: [], admin: [], organiser: [] };
  const sessions: Partial<Record<keyof typeof pages, Page>> = {};

  beforeAll(async () => {
    engine = await createFaceEngine({ workers: 1 });
    bw = await startBrowserWorld({ engine });
    const { ctx } = bw.world;
    const office = await signIn(bw.world, 'admin');
    const amy = await addPupil(office, 'Amy');
    await addPupil(office, 'Ben', { className: '4C', yearGroup: 'Y4' });

    for (const role of ['parent', 'admin', 'organiser'] as const) {
      sessions[role] = await bw.newPage();
      await bw.signInAs(sessions[role]!, role);
    }
    sessions.anonymous = await bw.newPage();
    const parentId = Number(await sessions.parent!.evaluate(async () => (await (await fetch('/api/auth/me')).json()).user.id));
    const organiserId = Number(await sessions.organiser!.evaluate(async () => (await (await fetch('/api/auth/me')).json()).user.id));
    await linkParent(office, amy, parentId);

    const event = (await office.agent.post('/api/events').set('x-csrf-token', office.csrf).send({
      name: 'Summer concert', startsAt: '2026-06-20T14:00:00+01:00', place: 'School hall',
      organiserIds: [organiserId], participants: { classes: ['3B'] },
    }).expect(201)).body;
    const eventId = (event.event?.id ?? event.id) as number;
    const link = (await office.agent.post(`/api/events/${eventId}/upload-link`).set('x-csrf-token', office.csrf).send({ days: 7 }).expect(201)).body.url as string;

    // A real check (sample1: three people and two places that may be faces).
    const record = await ctx.checks.check(parentId, [{ buffer: sample(1), originalname: 'IMG_1001.jpg' }], { mode: 'standard' });
    const photo = record.photos[0]!;
    const weak = photo.ok ? photo.faces.findIndex((f) => f.blurred && f.score < 0.5) : -1;
    expect(weak).toBeGreaterThanOrEqual(0);

    // A real video check, finished (a 1 s clip of sample5), for the video result page.
    const dir = ctx.videos.newUploadDir();
    const clip = `${dir}/clip.mp4`;
    fs.copyFileSync(panClip(tmpDir(), 1), clip);
    const job = await ctx.videos.submit(parentId, { dir, file: clip }, { mode: 'standard' });
    for (let i = 0; i < 600 && ['queued', 'running'].includes(ctx.videos.get(parentId, job.id).job.state); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(ctx.videos.get(parentId, job.id).job.state).toBe('done');

    const invitation = ctx.accounts.createUserRecord({ email: 'new.parent@example.test', name: 'New Parent', role: 'parent' }, office.id).invitationUrl;

    pages.anonymous = ['/login', '/forgot-password', '/guidance', new URL(invitation).pathname, '/reset-password/not-a-real-token-aaaaaaaaaaaa', '/no-such-page'];
    pages.parent = ['/check', `/checks/${record.id}`, '/videos', `/videos/${job.id}`, '/account', `/checks/${record.id}/photos/0/regions/${weak}`, '/consents', '/guidance',
      new URL(link).pathname, `/checks/${'x'.repeat(30)}`];
    pages.admin = ['/office', '/office/pupils', '/office/pupils/new', `/office/pupils/${amy}`, `/office/pupils/${amy}/leave`, '/office/import',
      '/office/parents', `/office/parents/${parentId}`, '/office/consent-reviews', '/office/events', '/office/events/new',
      `/office/events/${eventId}`, `/office/events/${eventId}/edit`, '/office/audit', `/events/${eventId}/announcement`,
      '/office/staff', `/office/staff/${organiserId}/remove`, `/office/pupils/${amy}/erase`, `/office/parents/${parentId}/erase`, '/office/parents/invite-all', '/account'];
    pages.organiser = ['/office', '/office/pupils', `/office/pupils/${amy}`, '/office/events', `/office/events/${eventId}`, `/events/${eventId}/announcement`, '/account'];
  });

  afterAll(async () => {
    await bw?.close();
    await engine?.close();
  });

  test.each(['anonymous', 'parent', 'admin', 'organiser'] as const)('when axe checks every %s page at 360 and 1280 px, then it finds no violation', async (role) => {
    const page = sessions[role]!;
    const found: string[] = [];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      for (const url of pages[role]) {
        await page.goto(url);
        for (const v of await violations(page)) {
          found.push(`${viewport.width}px ${url}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
