import { addPhotoConsent, addPupil } from '../events/factory';
import { describeBrowser, startBrowserWorld, type BrowserWorld } from './harness';

// An organiser plans an event in a real browser: create it for a class, see who lacks photo
// consent, schedule a reminder and see it listed. Screenshot: tests/output/screenshots/office-events.png.

jest.setTimeout(60_000);

describeBrowser('event pages for organisers in a browser', () => {
  let bw: BrowserWorld;

  beforeAll(async () => {
    bw = await startBrowserWorld();
  });

  afterAll(async () => {
    await bw?.close();
  });

  test('when an organiser creates an event for a class, then they see the consent gap and can schedule a reminder', async () => {
    const db = bw.world.ctx.db;
    const amy = addPupil(db, { firstName: 'Amy', lastName: 'Adams', className: '3B', yearGroup: 'Y3' });
    addPupil(db, { firstName: 'Ben', lastName: 'Brown', className: '3B', yearGroup: 'Y3' });
    addPupil(db, { firstName: 'Cal', lastName: 'Cole', className: '4C', yearGroup: 'Y4' });
    addPhotoConsent(db, amy, 'granted', '2027-01-01');

    const page = await bw.newPage();
    await bw.signInAs(page, 'organiser', { name: 'Olive Organiser' });
    await page.goto('/office');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('link', { name: 'New event' }).click();

    await page.getByLabel('Name').fill('Class 3B assembly');
    await page.getByLabel('Date and time').fill('2026-06-20T14:00');
    await page.getByLabel('Place').fill('School hall');
    await page.getByRole('group', { name: 'Classes' }).getByLabel('3B (2 pupils)').check();
    await Promise.all([page.waitForURL(/\/office\/events\/\d+$/), page.getByRole('button', { name: 'Create event' }).click()]);

    await page.getByText('Class 3B assembly was created with 2 pupils taking part.').waitFor();
    const consent = page.locator('#consent');
    await consent.getByText('1 without consent').waitFor();
    await consent.getByText('Brown, Ben').waitFor();
    expect(await consent.getByRole('link', { name: 'Brown, Ben' }).count()).toBe(0); // the pupil page is the office's
    expect(await consent.getByText('Adams, Amy').count()).toBe(0);
    expect(await page.getByText(/Saturday|20 June 2026, 14:00/).count()).toBeGreaterThan(0);

    await page.getByLabel('Days before').fill('3');
    await Promise.all([page.waitForURL(/#reminders$/), page.getByRole('button', { name: 'Schedule reminder' }).click()]);
    await page.getByText('Reminder scheduled for 17 June 2026, 14:00.').waitFor();
    const reminders = page.locator('table.office-reminders');
    await reminders.getByText('3 days before').waitFor();
    await reminders.getByText('Scheduled').waitFor();

    await bw.screenshot(page, 'office-events');

    await page.getByRole('link', { name: 'Events' }).first().click();
    const row = page.locator('table.office-events tr', { hasText: 'Class 3B assembly' });
    await row.getByText('1 without consent').waitFor();
    await row.getByText(/Due 17 June 2026/).waitFor();
  });
});
