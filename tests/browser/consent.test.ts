import type { Page } from 'playwright-core';
import { signIn } from '../helpers/context';
import { addPupil, linkParent } from '../helpers/register';
import { describeBrowser, startBrowserWorld, type BrowserWorld } from './harness';

// A parent gives and then withdraws photo-sharing consent online, in a real browser.

jest.setTimeout(120_000);

describeBrowser('online consent in a browser', () => {
  let bw: BrowserWorld;
  beforeAll(async () => {
    bw = await startBrowserWorld();
  });
  afterAll(() => bw?.close());

  async function press(page: Page, button: { name: string; within: string }) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
      page.locator(button.within).getByRole('button', { name: button.name }).click()]);
  }

  test('when a parent gives and then withdraws photo consent, then the page and the register follow each step', async () => {
    const office = await signIn(bw.world, 'admin');
    const pupilId = await addPupil(office, 'Amy');
    const page = await bw.newPage({ mobile: true });
    const parent = await bw.signInAs(page, 'parent', { name: 'Pat Parent' });
    await linkParent(office, pupilId, parent.id);
    const photo = `#c-${pupilId}-photo`;

    await page.getByRole('link', { name: 'Consent' }).click();
    await page.waitForURL('**/consents');
    expect(await page.locator('h1').textContent()).toBe('Consent for your children');
    expect(await page.locator(photo).textContent()).toContain('If you refuse, Amy’s face is blurred in every other parent’s photo.');
    expect(await page.locator(`${photo} [data-state]`).getAttribute('data-state')).toBe('not_in_effect');

    await page.getByLabel('I agree: Amy may be shown in photos other parents share').check();
    await press(page, { name: 'Save my answer', within: photo });
    expect(await page.getByRole('status').textContent()).toContain('Your answer is saved.');
    expect(await page.locator(`${photo} [data-state]`).getAttribute('data-state')).toBe('in_effect');
    expect(await page.locator(`${photo} [data-your-answer]`).textContent()).toContain('You gave consent on 2 March 2026');
    expect(bw.world.ctx.register.consentState(pupilId).photo.current).toBe(true);
    await bw.screenshot(page, 'parent-consent-given');

    await page.locator(photo).getByLabel('Withdraw my answer').check();
    await press(page, { name: 'Save my answer', within: photo });
    expect(await page.locator(`${photo} [data-state]`).getAttribute('data-state')).toBe('not_in_effect');
    expect(await page.locator(`${photo} [data-your-answer]`).getAttribute('data-your-answer')).toBe('none');
    expect(bw.world.ctx.register.consentState(pupilId).photo.current).toBe(false);
    const history = bw.world.ctx.register.consentPositions(pupilId).history;
    expect(history.map((h) => [h.consent, h.position, h.source])).toEqual([['photo', 'withdrawn', 'online'], ['photo', 'consents', 'online']]);
  });
});
