import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { createFaceEngine } from '../../src/features/faces';
import type { Box, FaceEngine } from '../../src/features/faces/types';
import { cropFace, sample } from '../helpers/photos';
import { describeBrowser, SCREENSHOT_DIR, startBrowserWorld, type BrowserWorld } from './harness';

// The school office in a real browser with the real face engine: a pupil from the add form to
// an accepted reference photo (and a refused two-face one), the MIS import, the organiser's
// read-only view. Screenshots go to tests/output/screenshots/office-*.png.

jest.setTimeout(180_000);

/** The smallest region holding both faces, with a margin: a photo of two children. */
async function cropBoth(photo: Buffer, a: Box, b: Box): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const left = Math.max(0, Math.round(Math.min(a.x, b.x) - 40));
  const top = Math.max(0, Math.round(Math.min(a.y, b.y) - 40));
  const right = Math.min(meta.width!, Math.round(Math.max(a.x + a.width, b.x + b.width) + 40));
  const bottom = Math.min(meta.height!, Math.round(Math.max(a.y + a.height, b.y + b.height) + 40));
  return sharp(photo).extract({ left, top, width: right - left, height: bottom - top }).jpeg().toBuffer();
}

const CSV_HEADER = 'UPN,Legal Forename,Legal Surname,Year,Reg Group,Contact 1 Email,Contact 1 Name,Ethnicity\n';

describeBrowser('school office pages in a browser', () => {
  let engine: FaceEngine;
  let bw: BrowserWorld;
  let tmp: string;
  const files: Record<'oneFace' | 'twoFaces' | 'badCsv' | 'goodCsv', string> = { oneFace: '', twoFaces: '', badCsv: '', goodCsv: '' };

  beforeAll(async () => {
    engine = await createFaceEngine({ workers: 1 });
    bw = await startBrowserWorld({ engine });
    const faces = (await engine.analyse(sample(5))).faces.filter((f) => f.score >= 0.9).sort((a, b) => a.box.x - b.box.x);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-office-'));
    const write = (name: string, data: Buffer | string) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, data);
      return file;
    };
    files.oneFace = write('amy-portrait.jpg', await cropFace(sample(5), faces[0]!.box));
    files.twoFaces = write('amy-and-friend.jpg', await cropBoth(sample(5), faces[0]!.box, faces[1]!.box));
    files.badCsv = write('sims-export-bad.csv',
      `${CSV_HEADER}A123456789012,Cara,Cole,Year 3,3B,cara.mum@example.test,Kim Cole,X\nB123456789012,Dan,Dale,Year 9,4C,,,X\n`);
    files.goodCsv = write('sims-export.csv',
      `${CSV_HEADER}A123456789012,Cara,Cole,Year 3,3B,cara.mum@example.test,Kim Cole,X\nB123456789012,Dan,Dale,Year 4,4C,,,X\nC123456789012,Eve,Evans,R,RA,eve.dad@example.test,Sam Evans,X\n`);
  });

  afterAll(async () => {
    await bw?.close();
    await engine?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Submits a form by its button and waits for the next page to load. */
  async function press(page: Page, button: string) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: button }).click()]);
  }

  test('when the office adds a pupil, records both consents and enrols a photo, then a two-face photo is refused with the reason', async () => {
    const page = await bw.newPage();
    await bw.signInAs(page, 'admin', { name: 'Olive Office' });
    await page.goto('/office/pupils/new');
    await page.getByLabel('First name').fill('Amy');
    await page.getByLabel('Surname').fill('Adams');
    await page.getByLabel('Class').fill('3B');
    await page.getByLabel('Year group').selectOption('Y3');
    await press(page, 'Add pupil');
    expect(await page.locator('h1').textContent()).toBe('Amy Adams');
    expect(await page.getByRole('status').first().textContent()).toContain('Amy Adams was added');

    // A paper form from a named person: a refused form comes back open, with the message and the answers kept.
    await page.getByText('Record a paper form from someone else with parental responsibility').click();
    await page.locator('#pos-new-photo-consents').check();
    await page.locator('#pos-new-biometric-consents').check();
    await press(page, 'Save this form');
    expect(await page.locator('#consents .field-error').first().textContent()).toContain('Enter the name on the form.');
    expect(await page.locator('#pos-new-photo-consents').isChecked()).toBe(true);
    await page.locator('#consents').screenshot({ path: path.join(SCREENSHOT_DIR, 'office-photo-consent-form.png') });
    await page.locator('#pos-new-name').fill('Mary Adams');
    await press(page, 'Save this form');
    expect(await page.getByRole('status').first().textContent()).toContain('Saved. Photo sharing: allowed; face recognition: consent holds.');
    expect(await page.locator('#consents-heading + p .badge').textContent()).toBe('Granted');
    expect(await page.locator('#consent-people').textContent()).toMatch(/Mary Adams, named on a form\s*Consents/);

    await page.getByLabel('Add a reference photo').setInputFiles(files.oneFace);
    await press(page, 'Check and add photo');
    expect(await page.getByRole('status').first().textContent()).toContain('Photo accepted: one clear face was found');
    const thumb = page.locator('.office-thumbs img').first();
    await thumb.waitFor();
    expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);

    await page.getByLabel('Add a reference photo').setInputFiles(files.twoFaces);
    await press(page, 'Check and add photo');
    const refusal = page.locator('#reference-rejected');
    expect(await refusal.textContent()).toMatch(/Photo not accepted\. Nothing was stored\.[\s\S]*More than one face is in the photo\. Crop it so only this pupil is visible\./);
    expect(await page.locator('.office-thumbs img').count()).toBe(1);
    await bw.screenshot(page, 'office-pupil-page');

    await page.goto('/office');
    await bw.screenshot(page, 'office-dashboard');
    await page.goto('/office/pupils');
    expect(await page.locator('table.office-pupils tbody tr').count()).toBe(1);
    await bw.screenshot(page, 'office-pupil-list');
    await page.goto('/office/audit');
    expect(await page.locator('ol.office-audit').textContent()).toMatch(/added a reference photo of Amy Adams\./);
    await bw.screenshot(page, 'office-audit');
  });

  test('when the CSV has a row error, then the preview shows it and imports nothing; a corrected CSV imports', async () => {
    const page = await bw.newPage();
    await bw.signInAs(page, 'admin');
    const before = bw.world.ctx.register.registerRows().length;
    await page.goto('/office/import');
    await page.getByLabel('CSV file').setInputFiles(files.badCsv);
    await press(page, 'Preview import');
    expect(await page.locator('.office-import-errors').textContent()).toMatch(/3\s*Year\s*Unknown year group "Year 9"/);
    expect(await page.getByRole('button', { name: 'Import now' }).count()).toBe(0);
    expect(bw.world.ctx.register.registerRows().length).toBe(before);
    await bw.screenshot(page, 'office-import-errors');

    await page.goto('/office/import');
    await page.getByLabel('CSV file').setInputFiles(files.goodCsv);
    await press(page, 'Preview import');
    expect(await page.locator('.office-tiles').textContent()).toMatch(/3\s*pupils to add/);
    expect(await page.locator('.office-import-rows tbody tr').count()).toBe(3);
    expect(bw.world.ctx.register.registerRows().length).toBe(before);
    await bw.screenshot(page, 'office-import-preview');
    await press(page, 'Import now');
    expect(await page.getByRole('status').first().textContent()).toContain('Imported sims-export.csv: 3 pupils added');
    expect(bw.world.ctx.register.registerRows().length).toBe(before + 3);
  });

  test('when an organiser opens a pupil page, then it is the office\'s: refused, and not in their menu', async () => {
    const pupil = bw.world.ctx.register.createPupil({ firstName: 'Ola', lastName: 'Owens', className: '2A', yearGroup: 'Y2' }, null);
    const page = await bw.newPage();
    await bw.signInAs(page, 'organiser');
    const res = await page.goto(`/office/pupils/${pupil.id}`);
    expect(res?.status()).toBe(403);
    expect(await page.content()).not.toContain('Ola Owens');
    expect(await page.locator('nav.site-nav a').allTextContents()).toEqual(['Dashboard', 'Events', 'My account']);
  });
});
