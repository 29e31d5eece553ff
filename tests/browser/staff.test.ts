import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeBrowser, startBrowserWorld, type BrowserWorld } from './harness';

// Issue #12 in Chromium: the office runs its staff (add, make admin, disable, the last admin
// protected) and, after an import, invites all new parents with a count and a confirmation.

jest.setTimeout(120_000);

describeBrowser('staff and invitations in a browser', () => {
  let bw: BrowserWorld;
  const sent: { to: string; text: string }[] = [];

  beforeAll(async () => {
    bw = await startBrowserWorld();
    bw.world.ctx.mailer.send = async (m) => { sent.push(m); return { messageId: `m${sent.length}` }; };
  });
  afterAll(async () => {
    await bw?.close();
  });

  async function press(page: Page, button: string | RegExp, scope = page.locator('main')) {
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), scope.getByRole('button', { name: button }).first().click()]);
  }
  const row = (page: Page, name: string) => page.locator('table.office-staff tbody tr', { hasText: name });

  test('when the office adds a teacher, makes them an admin and disables them, then each shows; the last active admin cannot be disabled', async () => {
    const page = await bw.newPage();
    const me = await bw.signInAs(page, 'admin', { name: 'Olive Office' });
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.waitForURL('**/office/staff');
    expect(await page.locator('h1').textContent()).toBe('Staff');

    await page.getByLabel('Name').fill('Terry Teacher');
    await page.getByLabel('Email address').fill('terry@school.example');
    await page.getByLabel('Role').selectOption('organiser');
    await press(page, 'Add and send invitation');
    expect(await page.getByRole('status').first().textContent()).toContain('Invitation sent to terry@school.example');
    expect(await row(page, 'Terry Teacher').textContent()).toMatch(/Organiser[\s\S]*Invitation pending/);
    expect(sent.map((m) => m.to)).toContain('terry@school.example');
    await bw.screenshot(page, 'office-staff');

    // Olive is the only active admin: the page refuses, and says why.
    await press(page, 'Disable', row(page, 'Olive Office'));
    expect(await page.getByRole('status').first().textContent()).toContain('only active office admin');
    expect(bw.world.ctx.accounts.repo.userById(me.id)!.status).toBe('active');

    await press(page, 'Make office admin', row(page, 'Terry Teacher'));
    expect(await row(page, 'Terry Teacher').textContent()).toContain('Office admin');
    await press(page, 'Disable', row(page, 'Terry Teacher'));
    expect(await row(page, 'Terry Teacher').textContent()).toContain('Disabled');
    await press(page, 'Enable', row(page, 'Terry Teacher'));
    expect(await row(page, 'Terry Teacher').textContent()).not.toContain('Disabled');
  });

  test('when the office imports a SIMS export, then it confirms the unflagged contact and invites all new parents at once', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sharesafe-staff-'));
    const csv = path.join(tmp, 'sims.csv');
    fs.writeFileSync(csv, [
      'Legal Forename,Legal Surname,Year,Reg Group,Contact 1 Email,Contact 1 Name,Contact 1 Parental Responsibility,Contact 2 Email,Contact 2 Name,Contact 2 Parental Responsibility',
      'Gil,Green,Y1,1A,gil.mum@example.test,Gail Green,T,gil.gran@example.test,Gran Green,F',
      'Hal,Hill,Y2,2B,hal.dad@example.test,Hugh Hill,T,,,',
    ].join('\n'));
    const page = await bw.newPage();
    await bw.signInAs(page, 'admin');
    await page.goto('/office/import');
    await page.getByLabel('CSV file').setInputFiles(csv);
    await press(page, 'Preview import');
    expect(await page.locator('.office-tiles').textContent()).toMatch(/1\s*contacts without parental responsibility/);
    await press(page, 'Import now');
    expect(await page.locator('#to-confirm').textContent()).toContain('gil.gran@example.test');
    await press(page, /Has parental responsibility/, page.locator('#to-confirm'));
    expect(await page.locator('#to-confirm').count()).toBe(0);

    sent.length = 0;
    await page.getByRole('link', { name: 'Parents' }).click();
    await page.waitForURL('**/office/parents');
    expect(await page.locator('.office-invite-all').textContent()).toContain('3 parents with a child on roll have never been sent an invitation');
    await page.getByRole('link', { name: 'Invite all new parents' }).click();
    await page.waitForURL('**/office/parents/invite-all');
    await bw.screenshot(page, 'office-invite-all');
    await press(page, 'Send 3 invitations');
    expect(await page.getByRole('status').first().textContent()).toContain('3 invitations sent');
    expect(sent.map((m) => m.to).sort()).toEqual(['gil.gran@example.test', 'gil.mum@example.test', 'hal.dad@example.test']);
    expect(await page.locator('.office-invite-all').count()).toBe(0);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
