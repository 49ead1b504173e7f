/**
 * The sign-in page and its forms: password, email code, and the button of each identity
 * provider. https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html
 */
import { randomInt } from 'node:crypto';
import type { Hono } from 'hono';
import { startFederation } from '../federation';
import { form, page, showError } from '../http';
import { sendConfirmationCode, sendMail } from '../mail';
import { codePage, signInPage } from '../pages';
import { completeSignIn, txOf } from '../session';
import { providerByName, type AuthorizeRequest, type StandInState } from '../state';

export function loginRoutes(app: Hono, s: StandInState): void {
  const { pool, users } = s;
  app.get('/login', (c) => {
    const txId = c.req.query('tx') ?? '';
    const tx = txOf(s, c, txId);
    if (!tx) return showError(s, c, 'invalid_request', 'This sign-in page has expired or was not started by an app. Start again from the app.');
    return page(c, signInPageFor(s, txId, tx));
  });

  app.post('/login/password', async (c) => {
    const f = await form(c);
    const tx = txOf(s, c, f.tx);
    if (!tx) return showError(s, c, 'invalid_request', 'This sign-in page has expired. Start again from the app.');
    const user = users.bySignInName(f.email ?? '');
    if (!user || !user.enabled || user.status === 'EXTERNAL_PROVIDER' || !users.checkPassword(user, f.password ?? '')) {
      return page(c, signInPageFor(s, f.tx!, tx, { email: f.email, error: 'メールアドレスまたはパスワードが正しくありません。 / Incorrect username or password.' }), 400);
    }
    if (user.status === 'UNCONFIRMED') {
      sendConfirmationCode(s, user);
      return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: user.attributes.get('email')!, action: '/confirm', purpose: 'confirm', info: 'アカウントが確認されていません。 / Your account is not confirmed yet.' }));
    }
    return c.redirect(await completeSignIn(s, c, f.tx!, tx, user, 'password'), 302);
  });

  app.post('/login/email-otp', async (c) => {
    const f = await form(c);
    const tx = txOf(s, c, f.tx);
    if (!tx || !pool.firstAuthFactors.includes('EMAIL_OTP')) return showError(s, c, 'invalid_request', 'Email codes are not a sign-in option of this user pool, or the page expired.');
    const user = users.bySignInName(f.email ?? '');
    if (user && user.status === 'CONFIRMED') {
      const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
      user.signInCode = { code, expires: Date.now() + 3 * 60_000, attempts: 0 };
      sendMail(s, user.attributes.get('email')!, pool.verification.emailSubject, pool.verification.emailMessage.replace('{####}', code), 'sign-in code');
    }
    return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user?.username ?? '', destination: f.email ?? '', action: '/login/email-otp/verify', purpose: 'otp' }));
  });

  app.post('/login/email-otp/verify', async (c) => {
    const f = await form(c);
    const tx = txOf(s, c, f.tx);
    const user = f.username ? users.get(f.username) : undefined;
    if (!tx || !pool.firstAuthFactors.includes('EMAIL_OTP')) return showError(s, c, 'invalid_request', 'Email codes are not a sign-in option of this user pool, or the page expired.');
    const pending = user?.signInCode;
    // A sign-in code only (never a sign-up code), for a confirmed, enabled user; three tries.
    const ok = user && user.enabled && user.status === 'CONFIRMED' && pending && pending.expires > Date.now() && pending.attempts < 3 && pending.code === f.code;
    if (!ok) {
      if (pending) pending.attempts++;
      return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: f.username ?? '', destination: user?.attributes.get('email') ?? '', action: '/login/email-otp/verify', purpose: 'otp', error: 'コードが正しくないか、有効期限が切れています。 / Invalid or expired code.' }), 400);
    }
    user.signInCode = undefined;
    return c.redirect(await completeSignIn(s, c, f.tx!, tx, user, 'email_otp'), 302);
  });

  app.post('/login/federate', async (c) => {
    const f = await form(c);
    const tx = txOf(s, c, f.tx);
    const provider = f.idp ? providerByName(s, f.idp) : undefined;
    if (!tx || !provider || !tx.client.supportedIdentityProviders.includes(provider.name)) return showError(s, c, 'invalid_request', 'This identity provider is not enabled for this app client, or the page expired.');
    return c.redirect(startFederation(s, f.tx!, provider), 302);
  });
}

/** The sign-in page with the options the pool and the app client offer. */
function signInPageFor(s: StandInState, txId: string, tx: AuthorizeRequest, extra: { email?: string; error?: string; info?: string } = {}): string {
  const { pool } = s;
  const native = tx.client.supportedIdentityProviders.includes('COGNITO');
  return signInPage({
    poolName: pool.name,
    tx: txId,
    password: native && pool.firstAuthFactors.includes('PASSWORD'),
    passkey: native && pool.firstAuthFactors.includes('WEB_AUTHN'),
    emailOtp: native && pool.firstAuthFactors.includes('EMAIL_OTP'),
    signUp: native && !pool.allowAdminCreateUserOnly,
    providers: s.model.identityProviders
      .filter((p) => tx.client.supportedIdentityProviders.includes(p.name))
      .map((p) => ({ name: p.name, label: p.name === 'DigitalAuthApp' ? 'マイナンバーカードでサインイン / Sign in with My Number Card' : `${p.name} でサインイン / Sign in with ${p.name}` })),
    email: extra.email ?? tx.loginHint,
    error: extra.error,
    info: extra.info,
  });
}
