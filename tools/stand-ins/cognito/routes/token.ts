/**
 * The token endpoint (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html)
 * and the revocation endpoint (https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { form, OAuthError } from '../http';
import { clientById, newId, readable, type StandInState } from '../state';
import { issueTokens, type ClaimOverrides, type Grant } from '../tokens';
import { TriggerError } from '../triggers';
import type { AppClientModel } from '../template';

export function tokenRoutes(app: Hono, s: StandInState): void {
  app.post('/oauth2/token', async (c) => {
    c.header('cache-control', 'no-store');
    const fail = (err: string, status = 400) => c.json({ error: err }, status as 400);
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return fail('invalid_request');
    const f = await form(c);
    const basic = /^Basic (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    let clientId = f.client_id;
    let secret = f.client_secret;
    if (basic) {
      try {
        const decoded = Buffer.from(basic, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i < 0) return fail('invalid_client');
        clientId = decodeURIComponent(decoded.slice(0, i));
        secret = decodeURIComponent(decoded.slice(i + 1));
      } catch {
        return fail('invalid_client');
      }
    }
    const client = clientById(s, clientId);
    if (!client) return fail('invalid_client');
    if (client.generateSecret && !secretMatches(secret, s.secrets.get(client.id)!)) return fail('invalid_client');
    try {
      if (f.grant_type === 'authorization_code') {
        const code = f.code ? s.codes.get(f.code) : undefined;
        if (f.code) s.codes.delete(f.code);
        if (!code || code.expires < Date.now() || code.client.id !== client.id || code.redirectUri !== f.redirect_uri) return fail('invalid_grant');
        if (code.codeChallenge !== undefined) {
          const verifier = f.code_verifier ?? '';
          if (createHash('sha256').update(verifier).digest().toString('base64url') !== code.codeChallenge) return fail('invalid_grant');
        }
        const t = await tokensFor(s, code.grant, client, 'TokenGeneration_HostedAuth');
        const refreshToken = newId() + newId();
        s.refreshTokens.set(refreshToken, { grant: code.grant, client, expires: Date.now() + client.validity.refreshToken * 1000 });
        return c.json({ ...(t.idToken ? { id_token: t.idToken } : {}), access_token: t.accessToken, refresh_token: refreshToken, expires_in: t.expiresIn, token_type: 'Bearer' });
      }
      if (f.grant_type === 'refresh_token') {
        const r = f.refresh_token ? s.refreshTokens.get(f.refresh_token) : undefined;
        if (!r || r.expires < Date.now() || r.client.id !== client.id) return fail('invalid_grant');
        const t = await tokensFor(s, r.grant, client, 'TokenGeneration_RefreshTokens');
        return c.json({ ...(t.idToken ? { id_token: t.idToken } : {}), access_token: t.accessToken, expires_in: t.expiresIn, token_type: 'Bearer' });
      }
      return fail('unsupported_grant_type');
    } catch (e) {
      if (e instanceof OAuthError) return fail(e.error);
      if (e instanceof TriggerError) return c.json({ error: 'invalid_request', error_description: e.message }, 400);
      throw e;
    }
  });

  app.post('/oauth2/revoke', async (c) => {
    const f = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded') ? await form(c) : {};
    const basic = /^Basic (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [f.client_id, f.client_secret];
    const client = clientById(s, id);
    if (!client || (client.generateSecret && !secretMatches(secret, s.secrets.get(client.id)!))) return c.json({ error: 'invalid_client' }, 400);
    if (!client.enableTokenRevocation) return c.json({ error: 'unsupported_token_type' }, 400);
    const r = f.token ? s.refreshTokens.get(f.token) : undefined;
    if (!f.token) return c.json({ error: 'invalid_request' }, 400);
    if (r && r.client.id === client.id) s.refreshTokens.delete(f.token);
    return c.body(null, 200);
  });
}

/** The grant's tokens, through the pre token generation trigger (V1, or V2/V3 with scopes and access token claims). */
async function tokensFor(s: StandInState, grant: Grant, client: AppClientModel, triggerSource: string) {
  const { triggers } = s;
  const user = s.users.get(grant.username);
  if (!user || !user.enabled) throw new OAuthError('invalid_grant', 'User does not exist or is disabled');
  let idOverrides: ClaimOverrides | undefined;
  let accessOverrides: ClaimOverrides | undefined;
  let groups: string[] = [];
  if (triggers.has('PreTokenGeneration')) {
    const version = triggers.version('PreTokenGeneration') ?? 'V1_0';
    const v2 = version !== 'V1_0';
    const out = await triggers.invoke('PreTokenGeneration', {
      version: v2 ? version.slice(1, 2) : '1',
      triggerSource,
      userName: user.username,
      clientId: client.id,
      request: { userAttributes: { ...Object.fromEntries(user.attributes), 'cognito:user_status': user.status }, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null }, ...(v2 ? { scopes: grant.scopes } : {}) },
      response: v2 ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null },
    });
    const r = out.response as Record<string, any>;
    if (v2) {
      idOverrides = r.claimsAndScopeOverrideDetails?.idTokenGeneration;
      accessOverrides = r.claimsAndScopeOverrideDetails?.accessTokenGeneration;
      groups = r.claimsAndScopeOverrideDetails?.groupOverrideDetails?.groupsToOverride ?? [];
    } else {
      idOverrides = r.claimsOverrideDetails ?? undefined;
      groups = r.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride ?? [];
    }
  }
  return issueTokens(s.signer, { grant, client, issuer: s.issuer, sub: user.attributes.get('sub')!, attributes: user.attributes, readable: readable(client), groups, idOverrides, accessOverrides });
}

/** Constant-time comparison of a presented client secret with the client's. */
function secretMatches(presented: string | undefined, expected: string): boolean {
  const a = createHash('sha256').update(presented ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return presented !== undefined && timingSafeEqual(a, b);
}
