/**
 * A person's journeys through the sandbox's real pages, in Debian's Chromium (playwright-core):
 * the sample app, the Cognito stand-in's managed login (configured from the synthesized
 * template), the local mailbox, the federation proxy and the OP emulator's test page.
 * Screenshots of the main pages: see SHOTS below.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium';
import { CognitoIdentityProviderClient, UpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { passwordSignIn } from '../../helpers/cognito';
import { securityEventDetailSchema } from '../../../lambdas/event-ingest/security-event-schema';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox';
import { repoRoot } from '../../helpers/tenants';

/**
 * Screenshots of the main pages go to test-results/ (ignored by git); `npm run screenshots` runs
 * this file with MYNA_IDP_SCREENSHOTS=docs/screenshots to renew the README's pictures.
 */
const SHOTS = path.resolve(repoRoot, process.env.MYNA_IDP_SCREENSHOTS ?? 'test-results/screenshots');
const PASSWORD = 'Sandbox-Passw0rd!';

let browser: Browser;
let s: TestSandbox;

beforeAll(async () => {
  browser = await launchChromium();
  s = await startTestSandbox();
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

async function newPerson(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 480, height: 900 } });
  return { context, page: await context.newPage() };
}

/** The code of the newest message to `email` in the local mailbox, read from its page as a person would. */
async function mailedCode(context: BrowserContext, email: string, sb: TestSandbox = s): Promise<string> {
  const mail = await context.newPage();
  await mail.goto(sb.urls.mailbox);
  const row = mail.locator('tbody tr', { hasText: email }).first();
  const text = await row.innerText();
  await mail.close();
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in the mailbox for ${email}: ${text}`);
  return code;
}

async function signUp(page: Page, email: string, screenshots = false, sb: TestSandbox = s) {
  await page.goto(sb.urls.app);
  await page.getByRole('link', { name: /^サインイン/ }).click();
  await page.waitForURL(`${sb.urls.cognito}/login**`);
  if (screenshots) await shot(page, 'managed-login-sign-in.png');
  await page.getByRole('link', { name: /アカウントを作成/ }).click();
  await page.getByLabel(/メールアドレス/).fill(email);
  await page.getByLabel(/パスワード/).fill(PASSWORD);
  if (screenshots) await shot(page, 'managed-login-sign-up.png');
  await page.getByRole('button', { name: /アカウントを作成/ }).click();
  await page.getByLabel(/コード/).waitFor();
  const code = await mailedCode(page.context(), email, sb);
  await page.getByLabel(/コード/).fill(code);
  await page.getByRole('button', { name: /確認/ }).click();
  await page.waitForURL(sb.urls.app);
}

async function signOut(page: Page) {
  await page.getByRole('link', { name: /サインアウト/ }).click();
  await page.waitForURL(s.urls.app);
  expect(await page.getByRole('link', { name: /^サインイン/ }).count()).toBe(1);
}

const profileClaims = async (page: Page, sb: TestSandbox = s) => {
  await page.goto(`${sb.urls.app}profile`);
  const rows = await page.locator('h2:has-text("All ID token claims") + table tr').allInnerTexts();
  return Object.fromEntries(rows.map((r) => r.split('\t') as [string, string]));
};

test('sign up with email and password, confirm by the mailed code, sign out, sign in again', async () => {
  const { context, page } = await newPerson();
  await signUp(page, 'hanako@example.jp', true);
  expect(await page.locator('h1').innerText()).toContain('サインインしました');
  const mail = s.cognito.mailbox.find((m) => m.to === 'hanako@example.jp')!;
  expect(mail.subject).toBe('【it】確認コードのお知らせ');
  const claims = await profileClaims(page);
  expect(claims.email).toBe('hanako@example.jp');
  expect(claims.email_verified).toBe('true');
  expect(claims.token_use).toBe('id');
  expect(claims.iss).toBe(s.cognito.issuer);
  await shot(page, 'sample-app-profile.png');

  await page.goto(s.urls.app);
  await signOut(page);
  await page.getByRole('link', { name: /^サインイン/ }).click();
  await page.getByLabel(/メールアドレス/).fill('hanako@example.jp');
  await page.getByLabel(/^パスワード/).fill('wrong-password-1A!');
  await page.getByRole('button', { name: /パスワードでサインイン/ }).click();
  expect(await page.getByRole('alert').innerText()).toContain('Incorrect username or password');
  await page.getByLabel(/^パスワード/).fill(PASSWORD);
  await page.getByRole('button', { name: /パスワードでサインイン/ }).click();
  await page.waitForURL(s.urls.app);
  expect(await page.locator('h1').innerText()).toContain('サインインしました');
  await context.close();
});

/** A person whose browser has a platform authenticator (Chromium's virtual one). */
async function newPersonWithAuthenticator(): Promise<{ context: BrowserContext; page: Page }> {
  const person = await newPerson();
  const cdp = await person.context.newCDPSession(person.page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true } });
  return person;
}

/** From the app's home: a passkey on managed login's page, back to the app, signed out, then signed in with it. */
async function addPasskeyAndSignInWithIt(page: Page, email: string, screenshot?: string) {
  await page.getByRole('link', { name: /パスキーを登録/ }).click();
  await page.waitForURL(`${s.urls.cognito}/passkeys/add**`);
  expect(await page.locator('#passkey-count').innerText()).toBe('0');
  await page.getByRole('button', { name: /パスキーを登録/ }).click();
  await page.waitForFunction(() => document.querySelector('#passkey-count')?.textContent === '1');
  if (screenshot) await shot(page, screenshot);
  await page.getByRole('link', { name: /アプリに戻る/ }).click();
  await page.waitForURL(s.urls.app);
  await signOut(page);
  await page.getByRole('link', { name: /^サインイン/ }).click();
  await page.getByLabel(/メールアドレス/).fill(email);
  await page.getByRole('button', { name: /パスキーでサインイン/ }).click();
  await page.waitForURL(s.urls.app);
}

test('register a passkey and sign in with it (Chromium virtual authenticator)', async () => {
  const { context, page } = await newPersonWithAuthenticator();
  await signUp(page, 'taro@example.jp');
  await addPasskeyAndSignInWithIt(page, 'taro@example.jp', 'managed-login-passkey-added.png');
  expect(await page.locator('h1').innerText()).toContain('サインインしました');
  const user = s.cognito.users.bySignInName('taro@example.jp')!;
  expect(user.passkeys).toHaveLength(1);
  expect(user.passkeys[0]!.counter).toBeGreaterThanOrEqual(0);
  await context.close();
});

async function toOpPage(page: Page) {
  await page.goto(s.urls.app);
  await page.getByRole('link', { name: /マイナンバーカードで登録・サインイン/ }).click();
  await page.waitForURL(`${new URL(s.urls.op!).origin}/**`);
  expect(await page.title()).toBe('テスト応答設定 - デジタル認証アプリ（エミュレーター）');
}

test('sign in with My Number Card through the proxy and the OP emulator: the card attributes reach the app', async () => {
  const { context, page } = await newPerson();
  await toOpPage(page);
  await page.getByLabel('番号 花子（大阪府大阪市）').check();
  await shot(page, 'op-emulator-test-response.png');
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(s.urls.app);
  expect(await page.locator('h1').innerText()).toContain('サインインしました');
  const claims = await profileClaims(page);
  expect(claims['cognito:username']).toMatch(/^DigitalAuthApp_/);
  expect(claims.name).toBe('番号 花子');
  expect(claims.address).toBe('大阪府大阪市北区梅田三丁目1番1号');
  expect(claims.birthdate).toBe('1992-11-23');
  expect(JSON.parse(claims.identities!)[0]).toMatchObject({ providerName: 'DigitalAuthApp', providerType: 'OIDC' });
  // The proof comes from the card record, not from the (user-writable) custom attributes.
  expect(claims['custom:jpki_issuer']).toBeUndefined();
  expect(claims.myna_acr).toBe('aal3');
  expect(JSON.parse(claims.verified_claims!).claims.name).toBe('番号 花子');

  // A user of the identity provider cannot add a passkey in the pool ([U] for Cognito; README):
  // the sample app offers none, and managed login's page refuses.
  expect(await page.getByRole('link', { name: /パスキーを登録/ }).count()).toBe(0);
  await page.goto(`${s.urls.cognito}/passkeys/add?client_id=${s.cognito.clients.find((c) => c.name === 'sample')!.id}&redirect_uri=${encodeURIComponent(s.urls.app)}`);
  expect(await page.getByRole('alert').innerText()).toContain('NotAuthorizedException');

  // This session is the card sign-in: the sensitive action passes without another step-up.
  await page.goto(`${s.urls.app}account/address`);
  await page.getByLabel(/新しい住所/).fill('東京都千代田区霞が関一丁目1番1号');
  await page.getByRole('button', { name: /変更する/ }).click();
  expect(await page.locator('h1').innerText()).toContain('住所を変更しました');
  await context.close();
});

test('a person who does not confirm the link at the proxy comes back to the app with access_denied, nothing linked', async () => {
  const { context, page } = await newPerson();
  await signUp(page, 'cautious@example.jp');
  await page.goto(`${s.urls.app}auth/card?link=1`);
  await page.waitForURL(`${new URL(s.urls.proxy!).origin}/**`);
  expect(await page.locator('main, body').first().innerText()).toContain('c***s@example.jp');
  await page.getByRole('button', { name: /連携しない/ }).click();
  await page.waitForURL(`${s.urls.app}auth/callback**`);
  expect(await page.locator('h1').innerText()).toContain('サインインを中止しました');
  expect(s.cognito.users.bySignInName('cautious@example.jp')!.links).toEqual([]);
  await context.close();
});

test('a person who cancels at the OP comes back to the app with access_denied', async () => {
  const { context, page } = await newPerson();
  await toOpPage(page);
  await page.getByLabel(/access_denied/).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(`${s.urls.app}auth/callback**`);
  expect(await page.locator('h1').innerText()).toContain('サインインを中止しました');
  expect(await page.locator('.notice').innerText()).toContain('access_denied');
  await context.close();
});

test('an OP server error ends in a readable error in the app, and nobody is signed in', async () => {
  const { context, page } = await newPerson();
  await toOpPage(page);
  await page.getByLabel(/server_error/).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(`${s.urls.app}auth/callback**`);
  expect(await page.locator('h1').innerText()).toContain('サインインできませんでした');
  expect(await page.locator('.notice').innerText()).toContain('server_error');
  await page.goto(s.urls.app);
  expect(await page.locator('h1').innerText()).toContain('ようこそ');
  await context.close();
});

/** From the step-up link to the OP's page: through the proxy's link confirmation page when the card is not linked yet. */
async function toCardPage(page: Page, expectConfirmation: boolean, sb: TestSandbox = s) {
  const proxy = new URL(sb.urls.proxy!).origin;
  const op = new URL(sb.urls.op!).origin;
  await page.waitForURL((u) => u.origin === proxy || u.origin === op);
  expect(new URL(page.url()).origin).toBe(expectConfirmation ? proxy : op);
  if (expectConfirmation) {
    expect(await page.locator('h1').innerText()).toBe('マイナンバーカードの連携');
    if (sb === s) await shot(page, 'proxy-link-confirmation.png');
    await page.getByRole('button', { name: /連携する/ }).click();
    await page.waitForURL(`${op}/**`);
  }
}

/** From the change of address through its step-up challenge to the card of `person` at the emulator, back at the app's callback. */
async function cardAtStepUp(page: Page, person: string) {
  await page.goto(`${s.urls.app}account/address`);
  await page.getByLabel(/新しい住所/).fill('x');
  await page.getByRole('button', { name: /変更する/ }).click();
  await page.getByRole('link', { name: /マイナンバーカードで確認/ }).click();
  await toCardPage(page, true);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(`${s.urls.app}auth/callback**`);
}

describe('step-up with My Number Card', () => {
  /** Signs up `email` with a password, then links the card of `person` through a step-up of the change of address. */
  async function stepUp(page: Page, person: string) {
    await page.goto(`${s.urls.app}account/address`);
    await page.getByLabel(/新しい住所/).fill('東京都千代田区霞が関一丁目1番1号');
    await page.getByRole('button', { name: /変更する/ }).click();
    expect(await page.locator('h1').innerText()).toContain('マイナンバーカードでの本人確認が必要です');
    expect(await page.locator('.notice').innerText()).toMatch(/401 WWW-Authenticate: Bearer error="insufficient_user_authentication", error_description="[^"]+", acr_values="aal3", max_age="300"/);
    await shot(page, 'sample-app-step-up-challenge.png');
    await page.getByRole('link', { name: /マイナンバーカードで確認/ }).click();
    await toCardPage(page, true);
    expect(await page.locator('body').innerText()).not.toContain('@');
    await page.getByLabel(person).check();
    await page.getByRole('button', { name: '応答する' }).click();
    await page.waitForURL(`${s.urls.app}account/address`);
  }

  test('password sign-in → the API demands step-up → the card at the emulator → the API succeeds, as one user with two identities', async () => {
    const { context, page } = await newPerson();
    await signUp(page, 'yuki@example.jp');
    const federatedBefore = s.cognito.users.all().filter((u) => u.status === 'EXTERNAL_PROVIDER').length;
    const before = await profileClaims(page);
    expect(before.myna_acr).toBeUndefined();
    await stepUp(page, '髙橋 﨑一郎（北海道札幌市・旧字体を含む氏名）');
    expect(await page.locator('.ok').innerText()).toContain('本人確認ができました');
    await page.getByRole('button', { name: /変更する/ }).click();
    expect(await page.locator('h1').innerText()).toContain('住所を変更しました');
    await shot(page, 'sample-app-step-up-done.png');

    const claims = await profileClaims(page);
    expect(claims.sub).toBe(before.sub);
    expect(claims.myna_acr).toBe('aal3');
    expect(Number(claims.myna_auth_time)).toBeLessThanOrEqual(Number(claims.auth_time));
    expect(Number(claims.auth_time) - Number(claims.myna_session_time)).toBeLessThanOrEqual(5);
    const verified = JSON.parse(claims.verified_claims!);
    // JIS X 0213 characters (髙, 﨑) exactly as the card has them.
    expect(verified.claims).toEqual({ name: '髙橋 﨑一郎', address: '北海道札幌市中央区北一条西二丁目', birthdate: '1948-02-29', gender: 'male' });
    expect(verified.verification).toMatchObject({ trust_framework: 'urn:myna-idp:trust-framework:jpki-user-authentication', assurance_level: 'aal3', time: new Date(Number(claims.myna_auth_time) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect(claims['custom:jpki_verified_at']).toBeUndefined();
    await page.goto(`${s.urls.app}profile`);
    await shot(page, 'sample-app-verified-claims.png');

    const user = s.cognito.users.bySignInName('yuki@example.jp')!;
    expect(user.links).toEqual([expect.objectContaining({ providerName: 'DigitalAuthApp' })]);
    // No separate user of the card was created by the step-up.
    expect(s.cognito.users.all().filter((u) => u.status === 'EXTERNAL_PROVIDER')).toHaveLength(federatedBefore);
    expect(s.cognito.users.get(`DigitalAuthApp_${user.links[0]!.userId}`)).toBeUndefined();

    // A second step-up within the OP's 10-minute session shows the card page again (prompt=login).
    await page.goto(`${s.urls.app}auth/step-up?challenge=${encodeURIComponent('Bearer error="insufficient_user_authentication", max_age="300"')}`);
    // The card is linked now: no confirmation, straight to the card.
    await toCardPage(page, false);
    expect(await page.title()).toBe('テスト応答設定 - デジタル認証アプリ（エミュレーター）');
    await context.close();
  });

  test('no write path changes what apps see as verified: UpdateUserAttributes through every client, and attributes copied from another user', async () => {
    // yuki (linked to 髙橋 﨑一郎's card in the test above) and 番号 花子 (her card's own user).
    const yuki = s.cognito.users.bySignInName('yuki@example.jp')!;
    const api = new CognitoIdentityProviderClient({ region: 'ap-northeast-1', endpoint: s.cognito.origin, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    for (const client of s.cognito.clients) {
      const r = await passwordSignIn(s.cognito, client.name, 'yuki@example.jp', { password: PASSWORD });
      expect(r.status).toBe(200);
      // No client of the local tenant gives the admin scope: Cognito refuses the write.
      await expect(api.send(new UpdateUserAttributesCommand({ AccessToken: r.tokens.access_token, UserAttributes: [{ Name: 'name', Value: '偽 太郎' }] }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    }
    // Whatever reaches the attributes (a client with write rights, an admin, a copied attestation)
    // is not what verified_claims are made of.
    const hanako = s.cognito.users.all().find((u) => u.attributes.get('name') === '番号 花子' && u.status === 'EXTERNAL_PROVIDER')!;
    s.cognito.users.setAttributes(yuki, { name: '偽 太郎', 'custom:jpki_verified_at': hanako.attributes.get('custom:jpki_verified_at'), 'custom:jpki_issuer': hanako.attributes.get('custom:jpki_issuer') });
    const after = await passwordSignIn(s.cognito, 'sample', 'yuki@example.jp', { password: PASSWORD });
    const id = decodeJwt(after.tokens.id_token!);
    expect(id.name).toBe('偽 太郎');
    expect((id.verified_claims as { claims: Record<string, string> }).claims.name).toBe('髙橋 﨑一郎');
    expect(id['custom:jpki_verified_at']).toBeUndefined();
    // The other client of the tenant is not listed: no verified_claims at all.
    expect(decodeJwt((await passwordSignIn(s.cognito, 'demo', 'yuki@example.jp', { password: PASSWORD })).tokens.id_token!).verified_claims).toBeUndefined();
    // A user without a card gets none, whatever attributes were copied onto it.
    const plain = s.cognito.users.bySignInName('hanako@example.jp')!;
    s.cognito.users.setAttributes(plain, { name: '番号 花子', 'custom:jpki_verified_at': hanako.attributes.get('custom:jpki_verified_at'), 'custom:jpki_acr': 'aal3' });
    const copied = decodeJwt((await passwordSignIn(s.cognito, 'sample', 'hanako@example.jp', { password: PASSWORD })).tokens.id_token!);
    expect(copied.verified_claims).toBeUndefined();
    expect(copied.myna_acr).toBeUndefined();
  });

  test('a card sign-in in another browser does not upgrade the first browser\'s session', async () => {
    const a = await newPerson();
    await signUp(a.page, 'ken@example.jp');
    await stepUp(a.page, 'デジタル 太郎（東京都千代田区）');
    await signOut(a.page);
    // Browser A: a password session, then browser B: the card (linked to the same user).
    await a.page.getByRole('link', { name: /^サインイン/ }).click();
    await a.page.getByLabel(/メールアドレス/).fill('ken@example.jp');
    await a.page.getByLabel(/^パスワード/).fill(PASSWORD);
    await a.page.getByRole('button', { name: /パスワードでサインイン/ }).click();
    await a.page.waitForURL(s.urls.app);
    await new Promise((r) => setTimeout(r, 2500));
    const b = await newPerson();
    await b.page.goto(s.urls.app);
    await b.page.getByRole('link', { name: /マイナンバーカードで登録・サインイン/ }).click();
    await b.page.getByLabel('デジタル 太郎（東京都千代田区）').check();
    await b.page.getByRole('button', { name: '応答する' }).click();
    await b.page.waitForURL(s.urls.app);
    expect((await profileClaims(b.page)).email).toBe('ken@example.jp');
    // A gets new tokens from its Cognito session (no page): they carry the newest card record, not bound to A's session.
    await a.page.goto(`${s.urls.app}auth/login`);
    await a.page.waitForURL(s.urls.app);
    const claims = await profileClaims(a.page);
    expect(Number(claims.myna_session_time)).toBeGreaterThan(Number(claims.auth_time));
    await a.page.goto(`${s.urls.app}account/address`);
    await a.page.getByLabel(/新しい住所/).fill('x');
    await a.page.getByRole('button', { name: /変更する/ }).click();
    expect(await a.page.locator('h1').innerText()).toContain('マイナンバーカードでの本人確認が必要です');
    expect(await a.page.locator('.notice').innerText()).toContain('the authentication level was not reached in this session');
    await a.context.close();
    await b.context.close();
  });

  test('a card that has an account of its own is not linked to another: a clear refusal, never a takeover', async () => {
    const { context, page } = await newPerson();
    await signUp(page, 'mallory@example.jp');
    // 番号 花子 signed up with her card in an earlier test: that card has its own user.
    await cardAtStepUp(page, '番号 花子（大阪府大阪市）');
    expect(await page.locator('h1').innerText()).toContain('サインインできませんでした');
    expect(await page.locator('.notice').innerText()).toContain('the card has an account of its own');
    expect(s.cognito.users.bySignInName('mallory@example.jp')!.links).toEqual([]);
    // Asking to move a card account needs a token of that card account: mallory's own token, or none, is refused.
    const { tokens } = await passwordSignIn(s.cognito, 'sample', 'mallory@example.jp', { password: PASSWORD });
    for (const body of [{ merge_card_account: true }, { merge_card_account: true, card_account_token: tokens.access_token }]) {
      const r = await fetch(`${s.urls.proxy}/link-intent`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect([r.status, ((await r.json()) as { error_description: string }).error_description]).toEqual([400, 'card_account_token must be an access token of the card’s own account']);
    }
    await context.close();
  });

  test.each([
    ['an acr below the requested one', { acr: 'aal1' }, 'acr_not_accepted'],
    ['an auth_time older than max_age', { auth_time: Math.floor(Date.now() / 1000) - 3600 }, 'auth_time_stale'],
  ])('%s ends in a clear refusal', async (_label, idTokenClaims, reason) => {
    const { context, page } = await newPerson();
    await signUp(page, `refused-${reason}@example.jp`);
    s.op!.faults = { idTokenClaims };
    try {
      await cardAtStepUp(page, '認証 みらい（沖縄県那覇市・性別その他）');
      expect(await page.locator('h1').innerText()).toContain('サインインできませんでした');
      expect(await page.locator('.notice').innerText()).toContain(reason);
    } finally {
      s.op!.faults = {};
    }
    await context.close();
  });
});

test('a person who signed up with the card moves that account into a pool account, then signs in with a passkey as the same user, card and verified claims included', async () => {
  const person = '認証 みらい（沖縄県那覇市・性別その他）';
  const { context, page } = await newPersonWithAuthenticator();
  // 1. Sign-up with the card: the card's own account, which Cognito gives no passkey.
  await toOpPage(page);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(s.urls.app);
  const cardAccount = (await profileClaims(page))['cognito:username']!;
  expect(cardAccount).toMatch(/^DigitalAuthApp_/);
  await page.goto(s.urls.app);
  expect(await page.locator('.notice').innerText()).toContain('メールアドレスのアカウントにこのアカウントを移します');

  // 2. From the card account: an account of the pool (email, mailed code), then the card once more.
  await page.getByRole('button', { name: /メールアドレスのアカウントに移す/ }).click();
  await page.waitForURL(`${s.urls.cognito}/login**`);
  await page.getByRole('link', { name: /アカウントを作成/ }).click();
  await page.getByLabel(/メールアドレス/).fill('mirai@example.jp');
  await page.getByLabel(/パスワード/).fill(PASSWORD);
  await page.getByRole('button', { name: /アカウントを作成/ }).click();
  await page.getByLabel(/コード/).waitFor();
  await page.getByLabel(/コード/).fill(await mailedCode(context, 'mirai@example.jp'));
  await page.getByRole('button', { name: /確認/ }).click();
  await page.waitForURL(`${new URL(s.urls.proxy!).origin}/**`);
  expect(await page.locator('body').innerText()).toContain('このカードで作成したアカウントは削除され');
  const pooledUser = s.cognito.users.bySignInName('mirai@example.jp')!;
  // Another card at the OP: the request to move this card's account links no other card. (The
  // emulator keeps one person per OP session: its session cookie goes, as with another device.)
  await context.clearCookies({ name: /^_session/ });
  await page.getByRole('button', { name: /連携する/ }).click();
  await page.waitForURL(`${new URL(s.urls.op!).origin}/**`);
  await page.getByLabel('デジタル 太郎（東京都千代田区）').check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(`${s.urls.app}auth/callback**`);
  expect(await page.locator('.notice').innerText()).toContain('not the card whose account was to be moved');
  expect(s.cognito.users.get(cardAccount)).toBeDefined();
  expect(pooledUser.links).toEqual([]);
  // Again, as the person would: the card account, "move", the email account's password, the right card.
  await page.goto(s.urls.app);
  await signOut(page);
  await context.clearCookies({ name: /^_session/ });
  await toOpPage(page);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(s.urls.app);
  await page.getByRole('button', { name: /メールアドレスのアカウントに移す/ }).click();
  await page.waitForURL(`${s.urls.cognito}/login**`);
  await page.getByLabel(/メールアドレス/).fill('mirai@example.jp');
  await page.getByLabel(/パスワード/).fill(PASSWORD);
  await page.getByRole('button', { name: /パスワードでサインイン/ }).click();
  await page.waitForURL(`${new URL(s.urls.proxy!).origin}/**`);
  await page.getByRole('button', { name: /連携する/ }).click();
  await page.waitForURL(`${new URL(s.urls.op!).origin}/**`);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(`${s.urls.app}profile`);
  const moved = await profileClaims(page);
  expect(moved.sub).toBe(pooledUser.attributes.get('sub'));
  const pooled = moved;
  expect(JSON.parse(moved.identities!)).toEqual([expect.objectContaining({ providerName: 'DigitalAuthApp', userId: cardAccount.slice('DigitalAuthApp_'.length) })]);
  expect(JSON.parse(moved.verified_claims!).claims.name).toBe('認証 みらい');
  // The card's own account is gone; nothing else of it remains to sign in to.
  expect(s.cognito.users.get(cardAccount)).toBeUndefined();

  // 3. A passkey for the pool account, then a sign-in with it: the same user, with the card linked.
  await page.goto(s.urls.app);
  await addPasskeyAndSignInWithIt(page, 'mirai@example.jp');
  const again = await profileClaims(page);
  expect(again.sub).toBe(pooled.sub);
  expect(JSON.parse(again.identities!)[0]).toMatchObject({ providerName: 'DigitalAuthApp' });
  // The card's record follows the user (its step-up claims stay bound to the card sign-in's session).
  expect(again.myna_acr).toBe('aal3');
  // 4. The card now signs in to the pool account.
  await signOut(page);
  await toOpPage(page);
  await page.getByLabel(person).check();
  await page.getByRole('button', { name: '応答する' }).click();
  await page.waitForURL(s.urls.app);
  expect((await profileClaims(page)).sub).toBe(pooled.sub);
  await context.close();
});

describe('a tenant that turns on Cognito’s native authentication levels (jpki.stepUp.nativeLevels)', () => {
  let n: TestSandbox;
  beforeAll(async () => {
    n = await startTestSandbox((t) => {
      t.id = 'native';
      t.domain = { prefix: 'myna-idp-native' };
      t.signIn.passkey.relyingPartyId = 'myna-idp-native.auth.ap-northeast-1.amazoncognito.com';
      t.jpki.stepUp = { nativeLevels: { enabled: true, cardLevel: 'Level4', names: { Level4: 'urn:myna-idp:loa:card' } } };
      // Password with TOTP would be Level4 too: no TOTP with native levels.
      t.signIn.mfa = { mode: 'off' };
    });
  }, 120_000);
  afterAll(async () => {
    await n?.close();
  });

  test('the levels are set at deploy without losing a setting; the API asks for Cognito’s card level, and the card step-up reaches it', async () => {
    // The custom resource ran against the pool's API: the levels are set, the trigger still runs.
    const pool = n.cognito.settings.describePool();
    expect(pool.AcrConfiguration).toEqual({ Level4: { AcrValue: 'urn:myna-idp:loa:card' } });
    expect((pool.LambdaConfig as Record<string, unknown>).PreTokenGenerationConfig).toBeDefined();

    const { context, page } = await newPerson();
    await signUp(page, 'ren@example.jp', false, n);
    expect((await profileClaims(page, n)).acr).toBe('urn:cognito:loa:1');
    await page.goto(`${n.urls.app}account/address`);
    await page.getByLabel(/新しい住所/).fill('x');
    await page.getByRole('button', { name: /変更する/ }).click();
    expect(await page.locator('.notice').innerText()).toContain('acr_values="urn:myna-idp:loa:card", max_age="300"');
    await page.getByRole('link', { name: /マイナンバーカードで確認/ }).click();
    await toCardPage(page, true, n);
    await page.getByLabel('番号 花子（大阪府大阪市）').check();
    await page.getByRole('button', { name: '応答する' }).click();
    await page.waitForURL(`${n.urls.app}account/address`);
    expect(await page.locator('.ok').innerText()).toContain('本人確認ができました');

    const claims = await profileClaims(page, n);
    // Cognito's own level (the OP's aal3 mapped to Level4) and the product's claims, side by side.
    expect(claims.acr).toBe('urn:myna-idp:loa:card');
    expect(JSON.parse(claims.amr!)).toEqual(['fed']);
    expect(claims.myna_acr).toBe('aal3');
    await context.close();
  });
});

// Last, after every journey above: what the sandbox's bus received, as operators would.
test('every event the journeys published conforms to the schema and holds none of the people’s data', () => {
  const events = s.eventBus.events;
  expect(s.eventBus.refused).toEqual([]);
  for (const e of events) expect(securityEventDetailSchema.safeParse(e).success).toBe(true);
  const types = new Set<string>(events.map((e) => e.type));
  for (const t of ['federation.succeeded', 'link.succeeded', 'token.step_up_issued', 'token.verified_claims_issued', 'callback.op_error']) expect([t, types.has(t)]).toEqual([t, true]);
  // One sign-in, one correlation id from the proxy's /token to the tokens the trigger made.
  const stepUp = events.find((e) => e.type === 'token.step_up_issued' && e.correlationId)!;
  expect(events.some((e) => e.type === 'federation.succeeded' && e.correlationId === stepUp.correlationId)).toBe(true);
  // Everything the stand-in holds of the people: usernames (with the OP's sub), every attribute value, every linked identity.
  const personal = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 4 && v !== 'true' && v !== 'false') personal.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(add);
  };
  for (const u of s.cognito.users.all()) {
    add(u.username);
    for (const [, v] of u.attributes) {
      add(v);
      try {
        add(JSON.parse(v ?? ''));
      } catch {
        // not JSON
      }
    }
    for (const l of u.links) add(l.userId);
  }
  expect(personal.size).toBeGreaterThan(10);
  const published = JSON.stringify(events);
  for (const p of personal) expect([p, published.includes(p)]).toEqual([p, false]);
});
