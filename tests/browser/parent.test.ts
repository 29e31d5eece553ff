import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileChooser, Page } from 'playwright-core';
import { outboxDir } from '../../src/context';
import { createFaceEngine } from '../../src/features/faces';
import type { FaceEngine } from '../../src/features/faces/types';
import { signIn, type SignedIn } from '../helpers/context';
import { cropFace, phonePhoto, sample, samplePath } from '../helpers/photos';
import { addPupil, enrol, giveBiometricConsent, linkParent, setPhotoConsent } from '../helpers/register';
import { describeBrowser, startBrowserWorld, TEST_PASSWORD, type BrowserWorld } from './harness';

// Parents in a real browser, with the real face engine on the sample photos.
// Scene (sample5, five faces from left to right): Amy is the parent's child, Ben has consent,
// Cal's consent is refused; the other two faces are not enrolled. Only Amy's name may appear.

jest.setTimeout(180_000);

describeBrowser('parent pages in a browser', () => {
  let engine: FaceEngine;
  let bw: BrowserWorld;
  let office: SignedIn;
  let amy: number;
  let tmp: string;
  let phoneFile: string;

  beforeAll(async () => {
    engine = await createFaceEngine({ workers: 1 });
    bw = await startBrowserWorld({ engine });
    const analysis = await engine.analyse(sample(5));
    // The five people (the detectors also report weak places that may be faces: blurred, not enrolled).
    const faces = analysis.faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x);
    office = await signIn(bw.world, 'admin');
    amy = await addPupil(office, 'Amy');
    const ben = await addPupil(office, 'Ben');
    const cal = await addPupil(office, 'Cal');
    for (const [pupil, face] of [[amy, 0], [ben, 1], [cal, 2]] as const) {
      await giveBiometricConsent(office, pupil);
      expect((await enrol(office, pupil, await cropFace(sample(5), faces[face]!.box))).status).toBe(201);
    }
    await setPhotoConsent(office, ben, 'granted');
    await setPhotoConsent(office, cal, 'refused');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-browser-'));
    phoneFile = path.join(tmp, 'IMG_2041.jpg');
    fs.writeFileSync(phoneFile, (await phonePhoto(sample(5))).photo);
  });

  afterAll(async () => {
    await bw?.close();
    await engine?.close();
  });

  /** A parent of Amy, made from an invitation as the office would, not yet signed in. */
  function invitedParent(email: string) {
    const created = bw.world.ctx.accounts.createUserRecord({ email, name: 'Pat Parent', role: 'parent' }, office.id);
    return { user: created.user, path: new URL(created.invitationUrl).pathname };
  }

  async function waitForResults(page: Page, count: number) {
    await page.locator('#result-list .photo-result:not(.pending) .summary').nth(count - 1).waitFor({ timeout: 120_000 });
  }

  const otherNames = /\b(Ben|Cal)\b/;

  test('when a parent accepts an invitation and checks two photos, then each safe copy shows with its summary and legend, and the zip holds both', async () => {
    const page = await bw.newPage();
    await page.goto('/login');
    await bw.screenshot(page, 'login');

    const invite = invitedParent('pat@example.test');
    await linkParent(office, amy, invite.user.id);
    await page.goto(invite.path);
    await expect(page.getByRole('heading', { name: 'Welcome to ShareSafe' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('New password').fill('purple otter teacup');
    await page.getByLabel('Type it again').fill('purple otter teacup');
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.waitForURL('**/check');
    await bw.screenshot(page, 'check-empty');

    await page.setInputFiles('#photos', [samplePath(5), phoneFile]);
    await page.getByRole('button', { name: 'Check photos' }).click();
    await waitForResults(page, 2);

    const cards = page.locator('#result-list .photo-result');
    await expect(cards.count()).resolves.toBe(2);
    for (const summary of await page.locator('#result-list .summary').allTextContents()) {
      // Three children, and in one photo a fourth face cut by the top edge.
      expect(summary).toMatch(/[34] faces blurred\. Your child Amy is visible\./);
    }
    // 3 children per photo, plus any weak detection (a face cut by the frame): blurred too.
    await expect(page.locator('#result-list svg.face-overlay rect.face-blurred').count()).resolves.toBeGreaterThanOrEqual(6);
    await expect(page.locator('#result-list svg.face-overlay rect.face-own').count()).resolves.toBe(2);
    await expect(page.locator('.legend').first().innerText()).resolves.toMatch(/Your child \(1\)[\s\S]*Visible \(1\)[\s\S]*Blurred \([34]\)/);
    // Every image loaded (same origin, allowed by the CSP), and no other child's name anywhere.
    const loaded = await page.locator('#result-list img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0));
    expect(loaded).toEqual([true, true]);
    expect(await page.content()).not.toMatch(otherNames);
    // The JS view shows only own child / visible / blurred, never why a face was blurred.
    expect(await page.content()).not.toMatch(/no_consent|consented|without consent|not recognised/);
    await page.locator('#result-list img').first().scrollIntoViewIfNeeded();
    await bw.screenshot(page, 'check-results');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#zip-link').click()]);
    const zipPath = path.join(tmp, 'photos.zip');
    await download.saveAs(zipPath);
    const zip = fs.readFileSync(zipPath);
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    // End of central directory (no comment): the last 22 bytes; total entries at offset 10.
    const eocd = zip.subarray(zip.length - 22);
    expect(eocd.readUInt32LE(0)).toBe(0x06054b50);
    expect(eocd.readUInt16LE(10)).toBe(2);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login?signedOut');
    await expect(page.getByText('You are signed out.').isVisible()).resolves.toBe(true);
    await page.goto('/check');
    await page.waitForURL('**/login?next=%2Fcheck');
  });

  test('when scripts are off, then the form still checks photos; and another parent gets the 404 page for the results', async () => {
    const page = await bw.newPage({ javaScript: false });
    const owner = await bw.signInAs(page, 'parent');
    await linkParent(office, amy, owner.id);
    await page.goto('/check');
    await page.setInputFiles('#photos', [samplePath(5)]);
    await page.getByRole('button', { name: 'Check photos' }).click();
    await page.waitForURL(/\/checks\/[A-Za-z0-9_-]{22,}$/, { timeout: 120_000 });
    await expect(page.locator('.summary').innerText()).resolves.toContain('Your child Amy is visible.');
    // The five people, plus any weak place the detectors also outlined (blurred).
    await expect(page.locator('svg.face-overlay rect').count()).resolves.toBeGreaterThanOrEqual(5);
    await expect(page.locator('svg.face-overlay rect.face-own').count()).resolves.toBe(1);
    expect(await page.content()).not.toMatch(otherNames);
    await bw.screenshot(page, 'check-results-no-js');
    const resultsPath = new URL(page.url()).pathname;

    const other = await bw.newPage();
    await bw.signInAs(other, 'parent');
    const response = await other.goto(resultsPath);
    expect(response?.status()).toBe(404);
    await expect(other.getByRole('heading', { name: 'Page not found' }).isVisible()).resolves.toBe(true);
    await expect(other.locator('img').count()).resolves.toBe(0);
    await bw.screenshot(other, 'error-404');
    await other.goto('/guidance');
    await bw.screenshot(other, 'guidance');
  });

  test('when a parent forgets their password, then the emailed link sets a new one that works', async () => {
    const page = await bw.newPage();
    const parent = await bw.signInAs(page, 'parent');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login?signedOut');
    await page.getByRole('link', { name: 'Forgotten your password?' }).click();
    await page.getByLabel('Email address').fill(parent.email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.waitForURL('**/login?reset');

    const dir = outboxDir(bw.world.config);
    const mails = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      // Quoted-printable: undo soft line breaks and =XX escapes.
      .map((m) => m.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_s, h: string) => String.fromCharCode(parseInt(h, 16))))
      .filter((m) => m.includes(`To: ${parent.email}`) && m.includes('/reset-password/'));
    expect(mails).toHaveLength(1);
    const token = /\/reset-password\/([A-Za-z0-9_-]+)/.exec(mails[0]!)![1]!;

    await page.goto(`/reset-password/${token}`);
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('Type it again').fill('short');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('at least 10 characters');
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByLabel('Type it again').fill('a brand new password');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.waitForURL('**/check');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login?signedOut');

    await page.getByLabel('Email address').fill(parent.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('do not match');
    await page.getByLabel('Password').fill('a brand new password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/check');
  });

  test('when a parent uses a 360 px phone with the keyboard only, then focus is visible, nothing scrolls sideways, and a photo can be checked', async () => {
    const page = await bw.newPage({ mobile: true });
    // Playwright turns on file-chooser interception lazily and without waiting for the browser's
    // reply, so a listener added together with the key press can lose the race on a busy machine
    // (microsoft/playwright#776, puppeteer#6040). Listen before the page is even loaded.
    const chooserOpened = new Promise<FileChooser>((resolve) => page.once('filechooser', resolve));
    const parent = await bw.signInAs(page, 'parent');
    await linkParent(office, amy, parent.id);
    await page.goto('/check');
    const noSideScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    expect(await noSideScroll()).toBe(true);
    await bw.screenshot(page, 'check-empty-mobile');

    /** Tabs until the element with this id has focus; returns its focus outline. */
    async function tabTo(id: string) {
      for (let i = 0; i < 30; i += 1) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.id ?? '') === id) {
          return page.evaluate(() => {
            const s = getComputedStyle(document.activeElement!);
            return { outline: `${s.outlineStyle} ${s.outlineWidth}`, focusVisible: document.activeElement!.matches(':focus-visible') };
          });
        }
      }
      throw new Error(`Tab never reached #${id}`);
    }
    expect(await tabTo('photos')).toEqual({ outline: 'solid 3px', focusVisible: true });
    await page.keyboard.press('Space');
    await (await chooserOpened).setFiles(phoneFile);
    expect(await tabTo('check-button')).toEqual({ outline: 'solid 3px', focusVisible: true });
    await page.keyboard.press('Enter');
    await waitForResults(page, 1);
    await expect(page.locator('#result-list .summary').innerText()).resolves.toContain('Your child Amy is visible.');
    expect(await noSideScroll()).toBe(true);
    await bw.screenshot(page, 'check-results-mobile');
  });
});
