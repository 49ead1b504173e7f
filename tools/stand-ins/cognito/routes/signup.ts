/** Sign-up with a mailed confirmation code, and the confirmation that signs the new user in. */
import type { Hono } from 'hono';
import { form, page, showError } from '../http';
import { sendConfirmationCode } from '../mail';
import { codePage, signUpPage } from '../pages';
import { completeSignIn, txOf } from '../session';
import type { StandInState } from '../state';
import { TriggerError } from '../triggers';
import { checkPasswordPolicy, UserError, type User } from '../users';

export function signUpRoutes(app: Hono, s: StandInState): void {
  const { pool, users, triggers } = s;
  const policyText = () => {
    const p = pool.passwordPolicy;
    return `Password: at least ${p.minimumLength} characters${p.requireLowercase ? ', a lowercase letter' : ''}${p.requireUppercase ? ', an uppercase letter' : ''}${p.requireNumbers ? ', a number' : ''}${p.requireSymbols ? ', a symbol' : ''}.`;
  };
  app.get('/signup', (c) => {
    const txId = c.req.query('tx') ?? '';
    if (!txOf(s, c, txId) || pool.allowAdminCreateUserOnly) return showError(s, c, 'invalid_request', 'Sign-up is not available (the page expired, or only administrators create users).');
    return page(c, signUpPage({ poolName: pool.name, tx: txId, policy: policyText() }));
  });
  app.post('/signup', async (c) => {
    const f = await form(c);
    const tx = txOf(s, c, f.tx);
    if (!tx || pool.allowAdminCreateUserOnly) return showError(s, c, 'invalid_request', 'Sign-up is not available.');
    const email = (f.email ?? '').trim();
    const again = (message: string) => page(c, signUpPage({ poolName: pool.name, tx: f.tx!, email, error: message, policy: policyText() }), 400);
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return again('メールアドレスの形式が正しくありません。 / Invalid email address format.');
    const policy = checkPasswordPolicy(pool, f.password ?? '');
    if (policy) return again(policy);
    let user: User;
    try {
      user = users.createNative(email, f.password!);
    } catch (e) {
      if (e instanceof UserError) return again(e.message);
      throw e;
    }
    try {
      const out = await triggers.invoke('PreSignUp', {
        triggerSource: 'PreSignUp_SignUp',
        userName: user.username,
        clientId: tx.client.id,
        request: { userAttributes: Object.fromEntries(user.attributes), validationData: {} },
        response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      });
      const r = out.response as { autoConfirmUser?: boolean; autoVerifyEmail?: boolean };
      if (r.autoConfirmUser) user.status = 'CONFIRMED';
      if (r.autoVerifyEmail) user.attributes.set('email_verified', 'true');
    } catch (e) {
      users.delete(user.username);
      if (e instanceof TriggerError) return again(e.message);
      throw e;
    }
    s.log('new user signed up');
    if (user.status === 'CONFIRMED') return c.redirect(await completeSignIn(s, c, f.tx!, tx, user, 'password'), 302);
    sendConfirmationCode(s, user);
    return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: email, action: '/confirm', purpose: 'confirm' }));
  });
  app.post('/confirm/resend', async (c) => {
    const f = await form(c);
    const user = f.username ? users.get(f.username) : undefined;
    if (!txOf(s, c, f.tx) || !user || user.status !== 'UNCONFIRMED') return showError(s, c, 'invalid_request', 'Nothing to confirm.');
    sendConfirmationCode(s, user);
    return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: user.attributes.get('email')!, action: '/confirm', purpose: 'confirm', info: 'コードを再送信しました。 / We sent a new code.' }));
  });
  app.post('/confirm', async (c) => {
    const f = await form(c);
    const tx = txOf(s, c, f.tx);
    const user = f.username ? users.get(f.username) : undefined;
    if (!tx || !user || user.status !== 'UNCONFIRMED') return showError(s, c, 'invalid_request', 'Nothing to confirm (the page expired, or the account is already confirmed).');
    if (!user.confirmationCode || user.confirmationCode.expires < Date.now() || (user.confirmationCode.attempts ?? 0) >= 5 || user.confirmationCode.code !== (f.code ?? '').trim()) {
      if (user.confirmationCode) user.confirmationCode.attempts = (user.confirmationCode.attempts ?? 0) + 1;
      return page(c, codePage({ poolName: pool.name, tx: f.tx!, username: user.username, destination: user.attributes.get('email')!, action: '/confirm', purpose: 'confirm', error: '確認コードが正しくありません。 / Invalid verification code provided, please try again.' }), 400);
    }
    user.status = 'CONFIRMED';
    user.confirmationCode = undefined;
    if (pool.autoVerifiedAttributes.includes('email')) user.attributes.set('email_verified', 'true');
    await triggers.invoke('PostConfirmation', {
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: user.username,
      clientId: tx.client.id,
      request: { userAttributes: Object.fromEntries(user.attributes) },
      response: {},
    });
    return c.redirect(await completeSignIn(s, c, f.tx!, tx, user, 'password'), 302);
  });
}
