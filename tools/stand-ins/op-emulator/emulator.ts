/**
 * An emulator of the Digital Agency's sandbox OpenID Provider (デジタル認証アプリ), built on
 * oidc-provider. A development and test tool: never deployed.
 *
 * Like the Agency's OP: Keycloak-style issuer and paths, response_type=code only, PKCE S256,
 * state and nonce required, private_key_jwt only (RS256, ES256), pairwise `sub`, at_hash in
 * the ID token, session_state on the redirect, scopes name / address / birthdate / gender, and
 * a "test response settings" page (テストカード代替) where one picks a test person or an
 * abnormal result.
 *
 * `faults` lets a test make the OP misbehave (bad ID tokens, userinfo of another subject, slow
 * or garbage answers), so that the proxy's checks are exercised over real HTTP.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWK } from 'jose';
import Provider, { type Adapter, type AdapterFactory, type AdapterPayload, type Configuration } from 'oidc-provider';

export const REALM_PATH = '/api/realms/main';
export const ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  jwks: '/protocol/openid-connect/certs',
} as const;
export const SCOPES = ['openid', 'name', 'address', 'birthdate', 'gender'] as const;

export interface TestPerson {
  id: string;
  label: string;
  name: string;
  address: string;
  addressParts: { postal_code: string; region: string; locality: string; street_address: string };
  birthdate: string;
  gender: 'male' | 'female' | 'other';
}

export interface EmulatorClient {
  client_id: string;
  redirect_uris: string[];
  /** The client's public keys for private_key_jwt (what an RP submits to the Agency). */
  jwks: { keys: JWK[] };
  /** Client assertion algorithm: RS256 or ES256. */
  token_endpoint_auth_signing_alg?: 'RS256' | 'ES256';
}

export interface EmulatorFaults {
  /** Claims to set in (or, with undefined, remove from) the ID token before it is signed. */
  idTokenClaims?: Record<string, unknown>;
  /** How the ID token is signed: normally with the OP key. */
  idTokenSigning?: 'none' | 'hs256-with-public-key' | 'foreign-key' | 'unknown-kid' | 'rotated-key';
  /** Claims to set in the userinfo response. */
  userinfoClaims?: Record<string, unknown>;
  /** Delay before the token endpoint answers. */
  tokenDelayMs?: number;
  /** Replace the token endpoint's answer with this status and raw body. */
  tokenResponse?: { status: number; body: string; contentType?: string };
  /** Status of every userinfo answer (e.g. 500). */
  userinfoStatus?: number;
  /** Header parameters added to the ID token's protected header (e.g. an unknown `crit`). */
  idTokenHeader?: Record<string, unknown>;
  /** Answer this route with an endless body (streamed until the client hangs up). */
  endlessBody?: 'token' | 'userinfo' | 'jwks';
  /** Delay every answer by this much: a network round trip to a real OP (benchmarks). */
  roundTripMs?: number;
}

export interface EmulatorOptions {
  /** 0: any free port. */
  port?: number;
  host?: string;
  /** The host name in the issuer (default localhost). */
  publicHost?: string;
  idTokenAlg?: 'RS256' | 'ES256';
  clients: EmulatorClient[];
  persons?: TestPerson[];
  /** The shape of the address claim (UNCONFIRMED at the Agency). */
  addressFormat?: 'string' | 'object';
  /** The encoding of gender (UNCONFIRMED at the Agency): OIDC words or JIS X 0303 codes. */
  genderFormat?: 'oidc' | 'jis';
  /** Log each request to stderr. */
  verbose?: boolean;
}

export interface RunningEmulator {
  readonly issuer: string;
  readonly origin: string;
  readonly persons: readonly TestPerson[];
  faults: EmulatorFaults;
  /** Requests served per route name, for tests (e.g. how often the JWKS was fetched). */
  readonly hits: Record<string, number>;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const loadPersons = (): TestPerson[] => JSON.parse(fs.readFileSync(path.join(here, 'persons.json'), 'utf8')) as TestPerson[];

const JIS_GENDER = { male: '1', female: '2', other: '9' } as const;
const ABNORMAL = [
  ['access_denied', '利用者が認証をキャンセルした'],
  ['server_error', 'サーバーエラー'],
  ['temporarily_unavailable', '一時的に利用できない'],
] as const;

async function signingKey(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const pub = jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { ...jwk, kid: await calculateJwkThumbprint(pub as JWK), alg, use: 'sig' };
}

const publicOf = (jwk: JWK): JWK => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
};

function atHash(accessToken: string, alg: string): string {
  const digest = createHash(`sha${alg.slice(-3)}`).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * oidc-provider's stateful models (sessions, interactions, codes, tokens, grants) in this
 * emulator's memory, gone when it stops. Configuring it also keeps oidc-provider from warning
 * about its own development-only adapter (and from sharing one store between emulators).
 */
function memoryAdapter(store = new Map<string, { payload: AdapterPayload; expiresAt: number }>()): AdapterFactory {
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  };
  const findBy = (model: string, match: (p: AdapterPayload) => boolean) => {
    for (const key of store.keys()) {
      const payload = key.startsWith(`${model}:`) ? live(key) : undefined;
      if (payload && match(payload)) return payload;
    }
    return undefined;
  };
  return (model: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => {
      store.set(`${model}:${id}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    },
    find: async (id) => live(`${model}:${id}`),
    findByUid: async (uid) => findBy(model, (p) => p.uid === uid),
    findByUserCode: async (userCode) => findBy(model, (p) => p.userCode === userCode),
    consume: async (id) => {
      const payload = live(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      store.delete(`${model}:${id}`);
    },
    revokeByGrantId: async (grantId) => {
      for (const [key, { payload }] of store) if (payload.grantId === grantId) store.delete(key);
    },
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function testResponsePage(uid: string, persons: readonly TestPerson[], clientId: string, scope: string): string {
  const personRows = persons
    .map((p, i) => `<label class="row"><input type="radio" name="choice" value="person:${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.label)}</label>`)
    .join('\n');
  const errorRows = ABNORMAL.map(([code, text]) => `<label class="row"><input type="radio" name="choice" value="error:${code}"> ${escapeHtml(text)}（${code}）</label>`).join('\n');
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>テスト応答設定 - デジタル認証アプリ（エミュレーター）</title>
<style>body{font-family:system-ui,sans-serif;max-width:42em;margin:2em auto;padding:0 1em;color:#1a1a1c}
h1{font-size:1.4em}fieldset{border:1px solid #c8c8cb;border-radius:8px;margin:1em 0;padding:1em}
.row{display:block;padding:.35em 0}.note{color:#555;font-size:.9em}button{font-size:1em;padding:.6em 2em;border-radius:6px;border:0;background:#0017c1;color:#fff}</style>
</head><body>
<h1>テスト応答設定</h1>
<p class="note">これはデジタル認証アプリのサンドボックス（テストカード代替）のエミュレーターです。実際のマイナンバーカードは使いません。</p>
<p class="note">クライアント: <code>${escapeHtml(clientId)}</code> / 要求スコープ: <code>${escapeHtml(scope)}</code></p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<fieldset><legend>正常応答（テストカード）</legend>
${personRows}
</fieldset>
<fieldset><legend>異常応答</legend>
${errorRows}
</fieldset>
<button type="submit">応答する</button>
</form></body></html>`;
}

/** Where a browser ends its emulator session ("switch person"). */
export const SWITCH_PERSON_PATH = '/switch-person';

/** The emulator's own page: what it is, whose session this browser holds, and a way to end it. */
function rootPage(issuer: string, person: TestPerson | undefined, status = 200): string {
  const session = person
    ? `<p>このブラウザーは <strong>${escapeHtml(person.name)}</strong>（${escapeHtml(person.id)}）としてサインイン中です。次のサインインは、アプリが <code>prompt=login</code> を送らない限り、テスト応答設定を表示せずにこの人で続きます。</p>` +
      `<p lang="en">This browser holds an OP session as ${escapeHtml(person.id)}: the next sign-in continues as this person without the test-response page, unless the app sends <code>prompt=login</code>.</p>` +
      `<form method="post" action="${SWITCH_PERSON_PATH}"><button type="submit">別の人で続ける / Switch person</button></form>`
    : '<p>このブラウザーに OP のセッションはありません。次のサインインではテスト応答設定が表示されます。</p><p lang="en">No OP session in this browser: the next sign-in shows the test-response page.</p>';
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>デジタル認証アプリ（エミュレーター）</title></head><body style="font-family:system-ui,sans-serif;line-height:1.6;max-width:40em;margin:2em auto;padding:0 1em">` +
    `<h1>デジタル認証アプリ（エミュレーター）</h1>${status === 404 ? '<p>このアドレスにはページがありません。 / Nothing at this address.</p>' : ''}` +
    `<p>デジタル庁の認証 API サンドボックス（テストカード代替機能）をこのマシンで再現するエミュレーターです。実際の認証は行いません。</p>` +
    `<p lang="en">An emulator of the Digital Agency's sandbox OP (test card substitute) on this machine. It authenticates nobody.</p>` +
    `${session}<p><a href="${escapeHtml(issuer)}/.well-known/openid-configuration">OpenID configuration</a></p></body></html>`;
}

export async function startOpEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const persons = options.persons ?? loadPersons();
  const idTokenAlg = options.idTokenAlg ?? 'ES256';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${options.publicHost ?? 'localhost'}:${port}`;
  const issuer = `${origin}${REALM_PATH}`;

  const opKeys = [await signingKey('RS256'), await signingKey('ES256')];
  const rotatedKey = await signingKey(idTokenAlg);
  const foreignKey = { ...(await signingKey(idTokenAlg)), kid: opKeys.find((k) => k.alg === idTokenAlg)!.kid };
  const unknownKidKey = await signingKey(idTokenAlg);
  const pairwiseSalt = randomBytes(16).toString('hex');

  const claimsOf = (p: TestPerson) => ({
    name: p.name,
    address: options.addressFormat === 'object' ? { formatted: p.address, ...p.addressParts, country: 'JP' } : p.address,
    birthdate: p.birthdate,
    gender: options.genderFormat === 'jis' ? JIS_GENDER[p.gender] : p.gender,
  });

  // The emulator's own store: it can show whose session a browser holds, and end it.
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const sessionOf = (req: IncomingMessage) => {
    const id = /(?:^|;\s*)_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const entry = id ? store.get(`Session:${id}`) : undefined;
    return id && entry && entry.expiresAt > Date.now() ? { id, accountId: entry.payload.accountId as string | undefined } : undefined;
  };
  const configuration: Configuration = {
    adapter: memoryAdapter(store),
    clients: options.clients.map((c) => ({
      client_id: c.client_id,
      redirect_uris: c.redirect_uris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: c.token_endpoint_auth_signing_alg ?? 'RS256',
      id_token_signed_response_alg: idTokenAlg,
      subject_type: 'pairwise',
      jwks: c.jwks as never,
      scope: SCOPES.join(' '),
    })),
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'ES256'], idTokenSigningAlgValues: ['RS256', 'ES256'] },
    responseTypes: ['code'],
    acrValues: ['aal3'],
    pkce: { required: () => true },
    scopes: [...SCOPES],
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], name: ['name'], address: ['address'], birthdate: ['birthdate'], gender: ['gender'] },
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      createHash('sha256').update(`${client.sectorIdentifier}|${accountId}|${pairwiseSalt}`).digest('base64url'),
    findAccount: async (_ctx, id) => {
      const person = persons.find((p) => p.id === id);
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claimsOf(person) }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true }, rpInitiatedLogout: { enabled: false } },
    routes: { authorization: ROUTES.authorization, token: ROUTES.token, userinfo: ROUTES.userinfo, jwks: ROUTES.jwks },
    jwks: { keys: opKeys as never },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="ja"><meta charset="utf-8"><title>エラー</title><h1>エラー</h1><p><code>${escapeHtml(String(out.error))}</code> ${escapeHtml(String(out.error_description ?? ''))}</p></html>`;
    },
  };
  const provider = new Provider(issuer, configuration);
  const running: RunningEmulator = { issuer, origin, persons, faults: {}, hits: {}, close: async () => undefined };

  const reissueIdToken = async (idToken: string, accessToken: string): Promise<string> => {
    const header = decodeProtectedHeader(idToken);
    const claims: Record<string, unknown> = { ...decodeJwt(idToken), at_hash: atHash(accessToken, String(header.alg)) };
    for (const [k, v] of Object.entries(running.faults.idTokenClaims ?? {})) {
      if (v === undefined) delete claims[k];
      else claims[k] = v;
    }
    const mode = running.faults.idTokenSigning;
    if (mode === 'none') return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    if (mode === 'hs256-with-public-key') {
      // The classic key-confusion attack: HMAC keyed with the OP's public key.
      const pub = opKeys.find((k) => k.kid === header.kid)!;
      const secret = new TextEncoder().encode(JSON.stringify(publicOf(pub)));
      return new SignJWT(claims as never).setProtectedHeader({ alg: 'HS256', kid: header.kid, typ: 'JWT' }).sign(secret);
    }
    const key = mode === 'foreign-key' ? foreignKey : mode === 'unknown-kid' ? unknownKidKey : mode === 'rotated-key' ? rotatedKey : opKeys.find((k) => k.kid === header.kid)!;
    const alg = String(header.alg);
    const extra = running.faults.idTokenHeader;
    if (extra) {
      // jose refuses to sign a `crit` it does not know, which is the point: assemble it by hand.
      const input = `${Buffer.from(JSON.stringify({ alg, kid: key.kid, typ: 'JWT', ...extra })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const privateKey = createPrivateKey({ key: key as never, format: 'jwk' });
      const signature = nodeSign('sha256', Buffer.from(input), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
      return `${input}.${signature.toString('base64url')}`;
    }
    return new SignJWT(claims as never).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' }).sign(await importJWK(key, alg));
  };

  provider.use(async (ctx, next) => {
    const route = (Object.entries(ROUTES).find(([, p]) => ctx.path === p) ?? [ctx.path])[0];
    running.hits[route] = (running.hits[route] ?? 0) + 1;
    if (options.verbose) process.stderr.write(`op-emulator ${ctx.method} ${ctx.path}\n`);
    if (running.faults.endlessBody && ctx.path === ROUTES[running.faults.endlessBody]) {
      // 1 MiB chunks for as long as the client reads; the bytes written are counted.
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      ctx.status = 200;
      ctx.type = 'json';
      ctx.body = new Readable({
        read() {
          running.hits.endlessBytes = (running.hits.endlessBytes ?? 0) + chunk.length;
          this.push(chunk);
        },
      });
      return;
    }
    // The Agency requires state and nonce (1-255 printable ASCII) on every authorization request.
    if (ctx.path === ROUTES.authorization) {
      for (const name of ['state', 'nonce']) {
        const v = ctx.query[name];
        if (typeof v !== 'string' || !/^[\x20-\x7e]{1,255}$/.test(v)) {
          ctx.status = 400;
          ctx.type = 'html';
          ctx.body = `<!doctype html><meta charset="utf-8"><h1>invalid_request</h1><p>${name} is required (1-255 printable ASCII)</p>`;
          return;
        }
      }
    }
    if (ctx.path === ROUTES.token) {
      if (running.faults.tokenDelayMs) await new Promise((r) => setTimeout(r, running.faults.tokenDelayMs));
      // The caller gave up while we waited: its body can no longer be read (oidc-provider would
      // warn about an "already parsed request body"), and no answer can be sent.
      if (ctx.req.destroyed) return;
      const canned = running.faults.tokenResponse;
      if (canned) {
        ctx.status = canned.status;
        ctx.type = canned.contentType ?? 'text/html';
        ctx.body = canned.body;
        return;
      }
    }
    if (ctx.path === ROUTES.userinfo && running.faults.userinfoStatus) {
      ctx.status = running.faults.userinfoStatus;
      ctx.body = { error: 'server_error' };
      return;
    }
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.path === ROUTES.token && ctx.status === 200 && body && typeof body.id_token === 'string') {
      ctx.body = { ...body, id_token: await reissueIdToken(body.id_token, String(body.access_token)) };
    }
    if (ctx.path === ROUTES.userinfo && ctx.status === 200 && body && running.faults.userinfoClaims) {
      ctx.body = { ...body, ...running.faults.userinfoClaims };
    }
    if (ctx.path === ROUTES.jwks && ctx.status === 200 && body && running.faults.idTokenSigning === 'rotated-key') {
      ctx.body = { keys: [...(body.keys as JWK[]), publicOf(rotatedKey)] };
    }
    // Keycloak adds session_state to the authorization response.
    const location = ctx.response.get('location');
    if ((ctx.status === 302 || ctx.status === 303) && location && /[?&]code=/.test(location)) {
      const u = new URL(location);
      u.searchParams.set('session_state', randomBytes(16).toString('hex'));
      ctx.redirect(u.toString());
      ctx.status = 303;
    }
  });

  // A client that hangs up mid-answer (the tests of size limits and timeouts do) is not an
  // emulator error; anything else still reaches stderr. (The provider is a Koa application,
  // which prints every error unless it has an 'error' listener of its own.)
  (provider as unknown as NodeJS.EventEmitter).on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' || err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'EPIPE') return;
    process.stderr.write(`op-emulator: ${err.stack ?? String(err)}\n`);
  });
  const callback = provider.callback();
  const interaction = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const params = details.params as Record<string, string>;
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(testResponsePage(uid, persons, params.client_id ?? '', params.scope ?? ''));
      return;
    }
    const choice = new URLSearchParams(await readBody(req)).get('choice') ?? '';
    if (choice.startsWith('error:')) {
      const code = choice.slice('error:'.length);
      const known = ABNORMAL.find(([c]) => c === code);
      await provider.interactionFinished(req, res, { error: known ? code : 'server_error', error_description: `test response: ${known ? code : 'unknown'}` }, { mergeWithLastSubmission: false });
      return;
    }
    const person = persons.find((p) => `person:${p.id}` === choice);
    if (!person) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('choose a test person or an abnormal result');
      return;
    }
    const grant = new provider.Grant({ accountId: person.id, clientId: params.client_id! });
    grant.addOIDCScope(String(params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: person.id, acr: 'aal3', amr: ['hwk'] }, consent: { grantId } }, { mergeWithLastSubmission: false });
  };

  server.on('request', (req, res) => {
    const delay = running.faults.roundTripMs;
    if (delay) setTimeout(() => serve(req, res), delay);
    else serve(req, res);
  });
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const m = /^\/interaction\/([A-Za-z0-9_-]{1,64})$/.exec(url.split('?')[0] ?? '');
    if (m) {
      interaction(req, res, m[1]!).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`interaction failed: ${e.message}`);
      });
      return;
    }
    if (url === REALM_PATH || url.startsWith(`${REALM_PATH}/`) || url.startsWith(`${REALM_PATH}?`)) {
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(REALM_PATH.length) || '/';
      void callback(req, res);
      return;
    }
    const pathname = url.split('?')[0];
    if (pathname === '/' && req.method === 'GET') {
      const session = sessionOf(req);
      const person = session?.accountId ? persons.find((p) => p.id === session.accountId) : undefined;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(rootPage(issuer, person));
      return;
    }
    if (pathname === SWITCH_PERSON_PATH && req.method === 'POST') {
      // Ends this browser's OP session: the next sign-in shows the test-response page again.
      const session = sessionOf(req);
      if (session) store.delete(`Session:${session.id}`);
      res.writeHead(303, { location: '/', 'cache-control': 'no-store' });
      res.end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(rootPage(issuer, undefined, 404));
  };

  running.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return running;
}
