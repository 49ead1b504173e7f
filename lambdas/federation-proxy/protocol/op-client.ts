/**
 * Calls from the proxy to the OpenID Provider: code redemption with private_key_jwt and PKCE,
 * and userinfo. Every call has a timeout; userinfo (idempotent) is retried a bounded number of
 * times on network errors and 5xx; a code redemption is never retried (a code is single-use).
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { readBounded, ResponseTooLargeError } from '../../shared/bounded-fetch';
import { OAuthError } from './oauth-error';
import { signJwt, type JwsSigner } from '../crypto/signer';

export interface OpClientSettings {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string;
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly assertionLifetimeSeconds: number;
  readonly assertionAudience: 'token-endpoint' | 'issuer';
  /** Attempts for an idempotent call (1 = no retry). */
  readonly idempotentAttempts?: number;
}

/** Why a call to the OP failed, for security events. */
export class OpCallError extends OAuthError {
  constructor(
    readonly reason: 'op_timeout' | 'op_unreachable' | 'op_server_error' | 'op_garbage' | 'op_too_large' | 'op_rejected',
    description: string,
    readonly opError?: string,
    code: 'invalid_grant' | 'server_error' | 'temporarily_unavailable' = reason === 'op_timeout' || reason === 'op_unreachable' ? 'temporarily_unavailable' : 'server_error',
  ) {
    super(code, description);
  }
}

/** Token and userinfo answers are a few KiB; anything far larger is not read (nor kept in memory). */
const MAX_RESPONSE_BYTES = 256 * 1024;

const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1), z.maxLength(8192)),
  token_type: z.string().check(z.regex(/^bearer$/i)),
  id_token: z.string().check(z.minLength(1), z.maxLength(16384)),
  expires_in: z.optional(z.number()),
  scope: z.optional(z.string()),
});
export type OpTokenResponse = z.infer<typeof tokenResponseSchema>;

const errorResponseSchema = z.object({ error: z.string().check(z.maxLength(128)), error_description: z.optional(z.string()) });

/** A client assertion (OIDC Core section 9, RFC 7523): iss = sub = client_id, unique jti, short exp. */
export async function clientAssertion(signer: JwsSigner, s: OpClientSettings, nowMs = Date.now()): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return signJwt(signer, {
    iss: s.clientId,
    sub: s.clientId,
    aud: s.assertionAudience === 'issuer' ? s.issuer : s.tokenEndpoint,
    jti: randomUUID(),
    iat: now,
    exp: now + s.assertionLifetimeSeconds,
  });
}

/** A call that got no (whole) answer: timed out, or the connection failed. */
function transportFailure(e: unknown): OpCallError {
  const timeout = (e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'AbortError';
  return new OpCallError(timeout ? 'op_timeout' : 'op_unreachable', 'the My Number Card service did not answer in time; try again later');
}

export class OpClient {
  constructor(
    private readonly s: OpClientSettings,
    private readonly signer: JwsSigner,
  ) {}

  private async call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.s.requestTimeoutMs) });
    } catch (e) {
      throw transportFailure(e);
    }
    let text: string;
    try {
      text = await readBounded(res, MAX_RESPONSE_BYTES);
    } catch (e) {
      if (e instanceof ResponseTooLargeError) throw new OpCallError('op_too_large', `the My Number Card service answered with more than ${MAX_RESPONSE_BYTES} bytes`);
      // The timeout covers the body too: a body that trickles in is a timeout.
      throw transportFailure(e);
    }
    if (res.status >= 500) throw new OpCallError('op_server_error', 'the My Number Card service is unavailable; try again later', undefined, 'temporarily_unavailable');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OpCallError('op_garbage', 'the My Number Card service answered with something that is not JSON');
    }
    return { status: res.status, body };
  }

  /** Redeems an authorization code (never retried). */
  async redeemCode(p: { code: string; codeVerifier: string; redirectUri: string }): Promise<OpTokenResponse> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: p.code,
      redirect_uri: p.redirectUri,
      code_verifier: p.codeVerifier,
      client_id: this.s.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await clientAssertion(this.signer, this.s),
    });
    const { status, body } = await this.call(this.s.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    });
    if (status !== 200) {
      const err = errorResponseSchema.safeParse(body);
      if (!err.success) throw new OpCallError('op_garbage', `the My Number Card service answered HTTP ${status} without an OAuth error`);
      if (err.data.error === 'invalid_grant') {
        throw new OpCallError('op_rejected', 'the authorization code was rejected (expired or already used)', 'invalid_grant', 'invalid_grant');
      }
      throw new OpCallError('op_rejected', `the My Number Card service refused the code exchange (${err.data.error})`, err.data.error);
    }
    const ok = tokenResponseSchema.safeParse(body);
    if (!ok.success) throw new OpCallError('op_garbage', 'the token response of the My Number Card service is malformed');
    return ok.data;
  }

  /** Fetches userinfo with the OP's access token. */
  async userinfo(accessToken: string): Promise<Record<string, unknown>> {
    const attempts = this.s.idempotentAttempts ?? 2;
    let last: OpCallError | undefined;
    for (let i = 0; i < attempts; i++) {
      try {
        const { status, body } = await this.call(this.s.userinfoEndpoint, {
          method: 'GET',
          headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        });
        if (status !== 200) throw new OpCallError('op_rejected', `the userinfo request was refused (HTTP ${status})`);
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new OpCallError('op_garbage', 'the userinfo response is not a JSON object');
        return body as Record<string, unknown>;
      } catch (e) {
        last = e as OpCallError;
        const retriable = last.reason === 'op_timeout' || last.reason === 'op_unreachable' || last.reason === 'op_server_error';
        if (!retriable) throw last;
      }
    }
    throw last!;
  }
}
