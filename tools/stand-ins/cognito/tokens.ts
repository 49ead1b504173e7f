/**
 * The tokens of the stand-in's user pool, with Cognito's claim sets: an RS256 ID token and
 * access token signed with the pool's key (published at /.well-known/jwks.json), and an opaque
 * refresh token. `auth_time` is the time of the sign-in the tokens come from, kept across
 * refreshes, as are `origin_jti` and the session's authentication method.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { COGNITO_RESERVED_CLAIMS } from '../../../lib/config/jpki';
import type { AppClientModel } from './template';

export interface TokenSigner {
  readonly kid: string;
  readonly jwks: { keys: JWK[] };
  sign(claims: Record<string, unknown>): Promise<string>;
}

export async function poolSigner(): Promise<TokenSigner> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(16).toString('base64url');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    jwks: { keys: [jwk] },
    sign: (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey as KeyObject),
  };
}

/** What a set of tokens is issued for: one sign-in (a Cognito session), for one client. */
export interface Grant {
  readonly username: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly authTime: number;
  readonly originJti: string;
  readonly nonce?: string;
  /** Native authentication levels (when the pool has them): the session's level and methods. */
  readonly acr?: string;
  readonly amr?: readonly string[];
}

/** Claims a pre token generation trigger may not add, change or suppress (Cognito ignores them). */
export const RESERVED_CLAIMS = COGNITO_RESERVED_CLAIMS;

export interface ClaimOverrides {
  readonly claimsToAddOrOverride?: Record<string, unknown>;
  readonly claimsToSuppress?: string[];
  readonly scopesToAdd?: string[];
  readonly scopesToSuppress?: string[];
}

function applyOverrides(claims: Record<string, unknown>, o: ClaimOverrides | undefined): Record<string, unknown> {
  if (!o) return claims;
  const out = { ...claims };
  for (const name of o.claimsToSuppress ?? []) if (!RESERVED_CLAIMS.has(name)) delete out[name];
  for (const [name, v] of Object.entries(o.claimsToAddOrOverride ?? {})) if (!RESERVED_CLAIMS.has(name)) out[name] = v;
  return out;
}

/** User attribute values as ID token claims: booleans for *_verified, the identities array parsed. */
export function attributeClaims(attributes: ReadonlyMap<string, string>, readable: (name: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of attributes) {
    if (name === 'sub' || !readable(name)) continue;
    if (name.endsWith('_verified')) out[name] = value === 'true';
    else if (name === 'identities') out[name] = JSON.parse(value) as unknown;
    else if (name === 'updated_at') out[name] = Number(value);
    else out[name] = value;
  }
  return out;
}

export interface IssueInput {
  readonly grant: Grant;
  readonly client: AppClientModel;
  readonly issuer: string;
  readonly sub: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly readable: (name: string) => boolean;
  readonly groups: readonly string[];
  readonly idOverrides?: ClaimOverrides;
  readonly accessOverrides?: ClaimOverrides;
  readonly now?: number;
}

export async function issueTokens(signer: TokenSigner, i: IssueInput): Promise<{ idToken?: string; accessToken: string; expiresIn: number; scopes: string[] }> {
  const now = i.now ?? Math.floor(Date.now() / 1000);
  const eventId = randomUUID();
  let scopes = [...i.grant.scopes];
  if (i.accessOverrides?.scopesToSuppress) scopes = scopes.filter((s) => !i.accessOverrides!.scopesToSuppress!.includes(s));
  for (const s of i.accessOverrides?.scopesToAdd ?? []) if (!scopes.includes(s)) scopes.push(s);
  const access = applyOverrides(
    {
      sub: i.sub,
      ...(i.groups.length ? { 'cognito:groups': i.groups } : {}),
      iss: i.issuer,
      version: 2,
      client_id: i.client.id,
      origin_jti: i.grant.originJti,
      event_id: eventId,
      token_use: 'access',
      scope: scopes.join(' '),
      auth_time: i.grant.authTime,
      ...(i.grant.acr ? { acr: i.grant.acr, amr: i.grant.amr } : {}),
      exp: now + i.client.validity.accessToken,
      iat: now,
      jti: randomUUID(),
      username: i.grant.username,
    },
    i.accessOverrides,
  );
  const accessToken = await signer.sign(access);
  // An ID token only where the openid scope was granted (Cognito's token endpoint).
  if (!i.grant.scopes.includes('openid')) return { accessToken, expiresIn: i.client.validity.accessToken, scopes };
  const id = applyOverrides(
    {
      sub: i.sub,
      ...(i.groups.length ? { 'cognito:groups': i.groups } : {}),
      ...attributeClaims(i.attributes, i.readable),
      iss: i.issuer,
      'cognito:username': i.grant.username,
      ...(i.grant.nonce ? { nonce: i.grant.nonce } : {}),
      origin_jti: i.grant.originJti,
      aud: i.client.id,
      event_id: eventId,
      token_use: 'id',
      auth_time: i.grant.authTime,
      ...(i.grant.acr ? { acr: i.grant.acr, amr: i.grant.amr } : {}),
      exp: now + i.client.validity.idToken,
      iat: now,
      jti: randomUUID(),
    },
    i.idOverrides,
  );
  return { idToken: await signer.sign(id), accessToken, expiresIn: i.client.validity.accessToken, scopes };
}
