/**
 * The oidc-provider instance and what the emulator adds around each of its answers: hits
 * counted, the Agency's own rules (state and nonce required, session_state on the redirect,
 * at_hash), and the faults a test has set.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { JWK } from 'jose';
import Provider from 'oidc-provider';
import { KEYCLOAK_PATHS } from '../../../lib/config/jpki';
import { providerConfiguration } from './configuration';
import { reissueIdToken } from './id-token';
import { publicOf } from './keys';
import type { EmulatorState } from './state';

/** The context of a request to oidc-provider (a Koa application). */
type OpContext = Parameters<Parameters<Provider['use']>[0]>[0];

export function createProvider(s: EmulatorState): Provider {
  const provider = new Provider(s.issuer, providerConfiguration(s));
  provider.use(async (ctx, next) => {
    const route = (Object.entries(KEYCLOAK_PATHS).find(([, p]) => ctx.path === p) ?? [ctx.path])[0];
    s.running.hits[route] = (s.running.hits[route] ?? 0) + 1;
    if (s.options.verbose) process.stderr.write(`op-emulator ${ctx.method} ${ctx.path}\n`);
    if (await answeredBefore(s, ctx)) return;
    await next();
    await alterAnswer(s, ctx);
  });
  // A client that hangs up mid-answer (the tests of size limits and timeouts do) is not an
  // emulator error; anything else still reaches stderr. (The provider is a Koa application,
  // which prints every error unless it has an 'error' listener of its own.)
  (provider as unknown as NodeJS.EventEmitter).on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' || err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'EPIPE') return;
    process.stderr.write(`op-emulator: ${err.stack ?? String(err)}\n`);
  });
  return provider;
}

/** Answers the request without oidc-provider (a fault, or a request the Agency refuses): true if it did. */
async function answeredBefore(s: EmulatorState, ctx: OpContext): Promise<boolean> {
  const { faults } = s.running;
  if (faults.endlessBody && ctx.path === KEYCLOAK_PATHS[faults.endlessBody]) {
    // 1 MiB chunks for as long as the client reads; the bytes written are counted.
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    ctx.status = 200;
    ctx.type = 'json';
    ctx.body = new Readable({
      read() {
        s.running.hits.endlessBytes = (s.running.hits.endlessBytes ?? 0) + chunk.length;
        this.push(chunk);
      },
    });
    return true;
  }
  // The Agency requires state and nonce (1-255 printable ASCII) on every authorization request.
  if (ctx.path === KEYCLOAK_PATHS.authorization) {
    for (const name of ['state', 'nonce']) {
      const v = ctx.query[name];
      if (typeof v !== 'string' || !/^[\x20-\x7e]{1,255}$/.test(v)) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = `<!doctype html><meta charset="utf-8"><h1>invalid_request</h1><p>${name} is required (1-255 printable ASCII)</p>`;
        return true;
      }
    }
  }
  if (ctx.path === KEYCLOAK_PATHS.token) {
    if (faults.tokenDelayMs) await new Promise((r) => setTimeout(r, faults.tokenDelayMs));
    // The caller gave up while we waited: its body can no longer be read (oidc-provider would
    // warn about an "already parsed request body"), and no answer can be sent.
    if (ctx.req.destroyed) return true;
    const canned = s.running.faults.tokenResponse;
    if (canned) {
      ctx.status = canned.status;
      ctx.type = canned.contentType ?? 'text/html';
      ctx.body = canned.body;
      return true;
    }
  }
  if (ctx.path === KEYCLOAK_PATHS.userinfo && faults.userinfoStatus) {
    ctx.status = faults.userinfoStatus;
    ctx.body = { error: 'server_error' };
    return true;
  }
  return false;
}

/** oidc-provider's answer as the Agency's OP gives it, with the faults applied. */
async function alterAnswer(s: EmulatorState, ctx: OpContext): Promise<void> {
  const { faults } = s.running;
  const body = ctx.body as Record<string, unknown> | undefined;
  if (ctx.path === KEYCLOAK_PATHS.token && ctx.status === 200 && body && typeof body.id_token === 'string') {
    ctx.body = { ...body, id_token: await reissueIdToken(s.keys, faults, body.id_token, String(body.access_token)) };
  }
  if (ctx.path === KEYCLOAK_PATHS.userinfo && ctx.status === 200 && body && faults.userinfoClaims) {
    ctx.body = { ...body, ...faults.userinfoClaims };
  }
  if (ctx.path === KEYCLOAK_PATHS.jwks && ctx.status === 200 && body && faults.idTokenSigning === 'rotated-key') {
    ctx.body = { keys: [...(body.keys as JWK[]), publicOf(s.keys.rotated)] };
  }
  // Keycloak adds session_state to the authorization response.
  const location = ctx.response.get('location');
  if ((ctx.status === 302 || ctx.status === 303) && location && /[?&]code=/.test(location)) {
    const u = new URL(location);
    u.searchParams.set('session_state', randomBytes(16).toString('hex'));
    ctx.redirect(u.toString());
    ctx.status = 303;
  }
}
