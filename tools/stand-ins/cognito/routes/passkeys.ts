/**
 * Passkeys: sign-in with a registered passkey, and managed login's page to register one
 * (/passkeys/add?client_id=…&redirect_uri=…). WebAuthn by @simplewebauthn/server.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html#amazon-cognito-user-pools-authentication-flow-methods-passkey
 */
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { Hono } from 'hono';
import { page, showError } from '../http';
import { passkeyAddPage } from '../pages';
import { browserOf, completeSignIn, currentSession, txOf } from '../session';
import { clientById, newId, type StandInState } from '../state';

export function passkeyRoutes(app: Hono, s: StandInState): void {
  const { pool, users } = s;
  app.post('/login/passkey/options', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { tx?: string; email?: string };
    const tx = txOf(s, c, body.tx);
    if (!tx || !pool.firstAuthFactors.includes('WEB_AUTHN')) return c.json({ error: 'invalid_request', message: 'This sign-in page has expired.' }, 400);
    const user = users.bySignInName(body.email ?? '');
    if (!user || user.passkeys.length === 0) return c.json({ error: 'NotAuthorizedException', message: 'このアカウントにはパスキーが登録されていません / No passkey is registered for this account' }, 400);
    const options = await generateAuthenticationOptions({ rpID: s.publicHost, allowCredentials: user.passkeys.map((p) => ({ id: p.id, transports: p.transports as never })), userVerification: pool.webAuthn.userVerification });
    tx.passkeyChallenge = { challenge: options.challenge, username: user.username };
    return c.json({ options });
  });
  app.post('/login/passkey/verify', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { tx?: string; response?: { id?: string } };
    const tx = txOf(s, c, body.tx);
    const pending = tx?.passkeyChallenge;
    const user = pending ? users.get(pending.username) : undefined;
    const key = user?.passkeys.find((p) => p.id === body.response?.id);
    if (!tx || !pending || !user || !key) return c.json({ error: 'NotAuthorizedException', message: 'Passkey sign-in failed' }, 400);
    tx.passkeyChallenge = undefined;
    const v = await verifyAuthenticationResponse({
      response: body.response as never,
      expectedChallenge: pending.challenge,
      expectedOrigin: s.origin,
      expectedRPID: s.publicHost,
      credential: { id: key.id, publicKey: key.publicKey as Uint8Array<ArrayBuffer>, counter: key.counter },
      requireUserVerification: pool.webAuthn.userVerification === 'required',
    }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
    if (!v.verified) return c.json({ error: 'NotAuthorizedException', message: 'Passkey sign-in failed' }, 400);
    key.counter = v.authenticationInfo!.newCounter;
    return c.json({ redirect: await completeSignIn(s, c, body.tx!, tx, user, 'passkey') });
  });

  app.get('/passkeys/add', (c) => {
    const q = c.req.query();
    const client = clientById(s, q.client_id);
    if (!client) return showError(s, c, 'invalid_request', 'client_id is missing or not a client of this user pool');
    const returnTo = q.redirect_uri ?? '';
    if (!client.callbackUrls.includes(returnTo) && !client.logoutUrls.includes(returnTo)) return showError(s, c, 'redirect_mismatch', 'redirect_uri is not a callback or sign-out URL of this app client');
    if (!pool.firstAuthFactors.includes('WEB_AUTHN')) return showError(s, c, 'invalid_request', 'Passkeys are not a sign-in option of this user pool');
    const session = currentSession(s, c);
    const user = session ? users.get(session.username) : undefined;
    if (!session || !user) {
      const txId = newId();
      s.txs.set(txId, { client, redirectUri: client.callbackUrls[0]!, scopes: ['openid'], created: Date.now(), browser: browserOf(s, c), returnTo: `${s.origin}${new URL(c.req.url).pathname}${new URL(c.req.url).search}` });
      return c.redirect(`/login?tx=${txId}`);
    }
    if (user.status === 'EXTERNAL_PROVIDER') return showError(s, c, 'NotAuthorizedException', 'A user of an external identity provider cannot register a passkey in this user pool: sign in as a user of the pool.');
    return page(c, passkeyAddPage({ poolName: pool.name, returnTo, email: user.attributes.get('email') ?? user.username, registered: user.passkeys.length }));
  });
  app.post('/passkeys/add/options', async (c) => {
    const session = currentSession(s, c);
    const user = session ? users.get(session.username) : undefined;
    if (!session || !user || user.status === 'EXTERNAL_PROVIDER') return c.json({ error: 'NotAuthorizedException', message: 'Sign in first' }, 400);
    const options = await generateRegistrationOptions({
      rpName: pool.name,
      rpID: s.publicHost,
      userName: user.attributes.get('email') ?? user.username,
      userID: new TextEncoder().encode(user.attributes.get('sub')!),
      attestationType: 'none',
      excludeCredentials: user.passkeys.map((p) => ({ id: p.id })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: pool.webAuthn.userVerification },
    });
    session.registrationChallenge = options.challenge;
    return c.json({ options });
  });
  app.post('/passkeys/add/verify', async (c) => {
    const session = currentSession(s, c);
    const user = session ? users.get(session.username) : undefined;
    const body = (await c.req.json().catch(() => ({}))) as { response?: unknown };
    const challenge = session?.registrationChallenge;
    if (!session || !user || !challenge) return c.json({ error: 'NotAuthorizedException', message: 'Sign in first' }, 400);
    session.registrationChallenge = undefined;
    const v = await verifyRegistrationResponse({ response: body.response as never, expectedChallenge: challenge, expectedOrigin: s.origin, expectedRPID: s.publicHost, requireUserVerification: pool.webAuthn.userVerification === 'required' }).catch(
      () => ({ verified: false as const, registrationInfo: undefined }),
    );
    if (!v.verified) return c.json({ error: 'InvalidParameterException', message: 'The passkey could not be verified' }, 400);
    const cred = v.registrationInfo!.credential;
    user.passkeys.push({ id: cred.id, publicKey: cred.publicKey, counter: cred.counter, transports: cred.transports, createdAt: new Date() });
    s.log('passkey registered');
    return c.json({ registered: user.passkeys.length });
  });
}
