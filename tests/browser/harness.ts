import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role, User } from '../../src/features/accounts/accounts.repo';
import type { FaceEngine } from '../../src/features/faces/types';
import { createTestWorld, type TestWorld } from '../helpers/context';

// Real-browser tests: the app on a real port, Debian's Chromium driven by playwright-core.

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(__dirname, '..', 'output', 'screenshots');
export const TEST_PASSWORD = 'correct horse battery';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** `describe`, or `describe.skip` with a warning when Chromium is missing. On CI a missing
 *  Chromium is a failure: a skipped browser suite must never pass silently there. */
export function describeBrowser(name: string, fn: () => void): void {
  if (fs.existsSync(CHROMIUM_PATH)) return describe(name, fn);
  if (process.env.CI) {
    describe(name, () => {
      test('Chromium is installed', () => {
        throw new Error(`${CHROMIUM_PATH} is missing: install it with apt-get install -y chromium`);
      });
    });
    return;
  }
  console.warn(`Skipping browser tests "${name}": ${CHROMIUM_PATH} is missing (apt-get install -y chromium).`);
  describe.skip(name, fn);
}

export interface BrowserUser extends User {
  password: string;
}

export interface BrowserWorld {
  world: TestWorld;
  baseUrl: string;
  browser: Browser;
  /** A page in a fresh browser context (own cookies); mobile is a 360x740 touch phone;
   *  javaScript: false checks the pages still work without scripts. */
  newPage(opts?: { mobile?: boolean; javaScript?: boolean }): Promise<Page>;
  /** Creates a user with a password and signs in through the sign-in page. */
  signInAs(page: Page, role: Role, overrides?: { email?: string; name?: string }): Promise<BrowserUser>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

export async function startBrowserWorld(opts: { engine?: FaceEngine; config?: NonNullable<Parameters<typeof createTestWorld>[0]>['config'] } = {}): Promise<BrowserWorld> {
  const world = createTestWorld({ engine: opts.engine, config: opts.config });
  const server = http.createServer(world.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];

  async function newPage(o: { mobile?: boolean; javaScript?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({
      baseURL: baseUrl,
      javaScriptEnabled: o.javaScript ?? true,
      acceptDownloads: true,
      locale: 'en-GB',
      ...(o.mobile ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : { viewport: { width: 1100, height: 900 } }),
    });
    contexts.push(context);
    return context.newPage();
  }

  async function signInAs(page: Page, role: Role, overrides: { email?: string; name?: string } = {}): Promise<BrowserUser> {
    counter += 1;
    const email = overrides.email ?? `${role}-browser${counter}@example.test`;
    const { user } = world.ctx.accounts.createUserRecord({ email, name: overrides.name ?? `${role} ${counter}`, role }, null);
    await world.ctx.accounts.setPassword(user.id, TEST_PASSWORD);
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Sign in' }).click()]);
    return { ...world.ctx.accounts.repo.userById(user.id)!, password: TEST_PASSWORD };
  }

  async function screenshot(page: Page, name: string): Promise<string> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async function close(): Promise<void> {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  return { world, baseUrl, browser, newPage, signInAs, screenshot, close };
}
