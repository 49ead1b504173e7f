/**
 * The sign-in as a person goes through it, in Debian's Chromium driven by playwright-core:
 * the proxy sends the browser to the OP emulator's test-response page, the person picks a test
 * person (or cancels), and the browser comes back through the proxy's /callback (its SameSite=Lax
 * cookie crossing from the OP's site) to the idpresponse URL, which a local server stands for
 * here (so the browser never leaves localhost), and is completed by the Cognito-like RP.
 */
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium';
import { randomBytes } from 'node:crypto';
import { startFederation, type Federation } from '../../helpers/federation';
import { repoRoot } from '../../helpers/tenants';

const SHOTS = path.join(repoRoot, 'test-results');

let browser: Browser;
let f: Federation;
let idpResponse: Server;
/** The last URL the browser brought to the idpresponse stand-in. */
let reached: string | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  idpResponse = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname !== '/oauth2/idpresponse') return void res.writeHead(404).end(); // the browser asks for /favicon.ico too
    reached = url.toString();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Cognito idpresponse (stand-in)');
  });
  await new Promise<void>((resolve) => idpResponse.listen(0, '127.0.0.1', resolve));
  const { port } = idpResponse.address() as { port: number };
  f = await startFederation({ opAlg: 'RS256', clientAlg: 'ES256', idpResponseUrl: `http://127.0.0.1:${port}/oauth2/idpresponse` });
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await f?.close();
  await new Promise((resolve) => idpResponse?.close(resolve));
});

async function toIdpResponse(pick: (page: import('playwright-core').Page) => Promise<void>, shot?: string) {
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  reached = undefined;
  const state = randomBytes(24).toString('base64url');
  await page.goto(f.rp.authorizationUrl(state).toString());
  await page.waitForSelector('h1');
  expect(await page.title()).toBe('テスト応答設定 - デジタル認証アプリ（エミュレーター）');
  if (shot) await page.screenshot({ path: path.join(SHOTS, shot), fullPage: true });
  await pick(page);
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(`${f.rp.settings.redirectUri}**`);
  await context.close();
  if (!reached) throw new Error('the browser never reached idpresponse');
  return { url: new URL(reached), state };
}

test('a person picks a test card on the OP page and is signed in with verified attributes', async () => {
  const r = await toIdpResponse((page) => page.getByLabel('番号 花子（大阪府大阪市）').check(), 'op-test-response-page.png');
  expect(r.url.searchParams.get('state')).toBe(r.state);
  const done = await f.rp.complete(r);
  expect(done.userinfo).toMatchObject({ name: '番号 花子', address: '大阪府大阪市北区梅田三丁目1番1号', birthdate: '1992-11-23', gender: 'female' });
});

test('a person who cancels comes back to Cognito with access_denied and its state', async () => {
  const r = await toIdpResponse((page) => page.getByLabel(/access_denied/).check());
  expect(r.url.searchParams.get('error')).toBe('access_denied');
  expect(r.url.searchParams.get('state')).toBe(r.state);
});

test('a stale sign-in (the proxy cookie gone) shows the person a readable page laid out for a phone', async () => {
  // A phone: without a viewport meta tag it would lay the page out 980 px wide.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2, locale: 'ja-JP' });
  const page = await context.newPage();
  const res = await page.goto(`${f.proxy.origin}/callback?state=${'x'.repeat(43)}&code=abc`);
  expect(res?.status()).toBe(400);
  expect(await page.locator('h1').textContent()).toBe('サインインできませんでした');
  expect(await page.locator('h2').textContent()).toBe('Sign-in failed');
  expect(await page.evaluate(() => document.documentElement.clientWidth)).toBe(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(SHOTS, 'proxy-error-page-phone.png'), fullPage: true });
  expect(await page.content()).not.toMatch(/\n\s+at /);
  await context.close();
});
