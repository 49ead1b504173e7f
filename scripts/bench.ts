/**
 * `npm run bench [-- --only synth,bundle,cold,latency,events,triggers,sandbox,tests]`: measured figures, printed as
 * tables and as JSON. Nothing here asserts a target: the figures are for people to read and compare.
 *
 * synth    `cdk synth` (the real CLI) of 1, 10 and 50 copies of the example tenant, generated in
 *          a temporary folder: wall time of each, resources per stack.
 * bundle   the federation proxy bundle as `cdk synth` builds it: minified bytes and gzip -9 bytes.
 * cold     import time of that bundle in a fresh node process (median of 20) against an empty
 *          handler, with the environment the Lambda has (KMS and Secrets Manager on the local
 *          AWS stand-in, so the cold-start secret check stays on this machine).
 * latency  200 sequential sign-ins through the proxy (Cognito-like RP -> proxy -> OP emulator)
 * events   200 sign-ins each with security event publishing on (PutEvents to a local bus) and off
 *          against 200 by an RP talking to the emulator directly (PKCE, nonce, private_key_jwt
 *          with a local key), once on plain localhost and once with a simulated network round
 *          trip to the OP (20 ms each way, on every OP answer: what a real deployment pays);
 *          then 50 concurrent sign-ins through the proxy with the error count.
 * triggers the pre token generation trigger (token-claims) as `cdk synth` bundles it: bytes;
 *          its import in a fresh node process against an empty handler (median of 20); and a
 *          warm invocation (median of 1,000 in one process after 50 to warm up): the handler
 *          with its two DynamoDB reads on the local stand-in over HTTP, and the claims it builds
 *          alone (what runs when the reads are answered).
 * sandbox  `npm run sandbox` (tsx, synth with bundling, the four servers) from spawn to the
 *          moment .local/sandbox.json exists (median of 3, seconds); then one full browser
 *          journey in Chromium against it: sign-up, the mailed code, sign-out, My Number Card
 *          sign-in at the OP emulator, the profile page (seconds, median of 3).
 * tests    the test suite's wall time (seconds; run alone, so best run as `--only tests`): the unit
 *          project (`npm run test:unit`, warm caches, median of 3); the full `npm test` (type
 *          check, lint, the three projects) with the synthesized-assembly cache emptied first
 *          and again with it warm; and CI on a clean clone: `git clone` of HEAD into a temporary
 *          folder and `bash .ci/run` there (npm ci and npm test, with CI=true), as CI runs it.
 *          Targets (issue 18): full npm test <= 240 s, unit <= 30 s, CI on a clean clone <= 360 s.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { parse, stringify } from 'yaml';
import { LocalSigner } from '../lambdas/federation-proxy/crypto/signer';
import { buildApp } from '../lib/app';
import { OP_REALM_PATH } from '../lib/config/jpki';
import { tenantSchema } from '../lib/config/schema';
import { proxyConfigOf } from '../lib/jpki/proxy-config';
import { freePort } from '../tools/cli/free-port';
import { STAND_IN_CREDENTIALS, standInEnvironment, startAwsStandIn } from '../tools/stand-ins/aws/aws-stand-in';
import { AwsJsonClient } from '../lambdas/shared/aws-json';
import { EventBridgePublisher } from '../lambdas/shared/event-bus';
import { startLocalProxy } from '../tools/stand-ins/aws/proxy-server';
import { startOpEmulator } from '../tools/stand-ins/op-emulator/emulator';
import { CognitoLikeRp } from '../tools/stand-ins/rp-driver/cognito-like-rp';
import { DirectRp } from '../tools/stand-ins/rp-driver/direct-rp';

const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(process.argv[i + 1]!.split(',')) : undefined;
})();
const wanted = (name: string) => !only || only.has(name);
const figures: Record<string, unknown> = {};
const execFileAsync = promisify(execFile);
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);
/** The production-like example tenant, as the tests have it (tests never depend on tenants/). */
const EXAMPLE = 'test/fixtures/tenants/example.yaml';
const cdkContext = () => (JSON.parse(fs.readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;

// --- synth -------------------------------------------------------------------------------
function generateTenants(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `myna-idp-bench-${count}-`));
  const base = parse(fs.readFileSync(EXAMPLE, 'utf8'));
  fs.mkdirSync(path.join(dir, 'branding'));
  fs.copyFileSync(path.join(path.dirname(EXAMPLE), 'branding/example-logo.svg'), path.join(dir, 'branding/example-logo.svg'));
  for (let i = 1; i <= count; i++) {
    const t = structuredClone(base);
    t.id = `example-${i}`;
    // One account each: SES names and the SNS sender id are per account (the loader checks it).
    t.account = String(111122220000 + i);
    t.domain.custom.domainName = `auth${i}.example.co.jp`;
    t.signIn.passkey.relyingPartyId = `auth${i}.example.co.jp`;
    fs.writeFileSync(path.join(dir, `${t.id}.yaml`), stringify(t));
  }
  return dir;
}

function synth(count: number) {
  const dir = generateTenants(count);
  const out = path.join(dir, 'cdk.out');
  const started = process.hrtime.bigint();
  const r = spawnSync('npx', ['cdk', 'synth', '-q', '-c', `tenantsDir=${dir}`, '-o', out], { encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`cdk synth of ${count} tenants failed:\n${r.stderr}`);
  const resources = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => Object.keys(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')).Resources).length);
  fs.rmSync(dir, { recursive: true, force: true });
  return { tenants: count, wallSeconds: round(wallSeconds), resourcesPerStack: [...new Set(resources)] };
}

if (wanted('synth')) {
  const rows = [1, 10, 50].map(synth);
  figures.synth = rows;
  console.log(`\nsynth: npx cdk synth -q of N copies of ${EXAMPLE} (3 stacks each: tenant, mail, edge)`);
  console.log('| tenants | wall time (s) | s per tenant | resources per stack |\n| ---: | ---: | ---: | ---: |');
  for (const f of rows) console.log(`| ${f.tenants} | ${f.wallSeconds.toFixed(2)} | ${(f.wallSeconds / f.tenants).toFixed(3)} | ${f.resourcesPerStack.join(', ')} |`);
}

// --- bundle and cold import -------------------------------------------------------------------
/** The proxy bundle exactly as `cdk synth` builds it for the example tenant. */
function proxyBundle(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'myna-idp-bench-asm-'));
  const { app } = buildApp({ tenantsDir: path.dirname(EXAMPLE), only: 'example', app: new App({ outdir, context: cdkContext() }) });
  app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'MynaIdp-example.template.json'), 'utf8'));
  const [, fn] = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('JpkiFederationProxy'))!;
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'MynaIdp-example.assets.json'), 'utf8'));
  return path.join(outdir, manifest.files[hash].source.path as string, 'index.mjs');
}

/**
 * A cold start of `file` in a fresh node process: the import, and the import plus the first
 * request (`event`, a function URL event). Async: the local AWS stand-in in this process must
 * keep answering. node:http is loaded first, as Lambda's Node.js runtime interface client does
 * before it imports a handler (its RAPIDClient requires 'http'), so neither handler is charged
 * for what the runtime has already loaded.
 */
async function coldStart(file: string, env: Record<string, string>, event: unknown): Promise<{ importMs: number; firstResponseMs: number }> {
  const code = [
    "await import('node:http');",
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(`file://${file}`)});`,
    'const t1 = performance.now();',
    'const r = await m.handler(JSON.parse(process.env.BENCH_EVENT), {});',
    'const t2 = performance.now();',
    "if (r.statusCode >= 400) throw new Error('the first request failed: ' + JSON.stringify(r));",
    'process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstResponseMs: t2 - t0 }));',
  ].join('\n');
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env, BENCH_EVENT: JSON.stringify(event) } });
  return JSON.parse(stdout) as { importMs: number; firstResponseMs: number };
}

if (wanted('bundle') || wanted('cold')) {
  const bundle = proxyBundle();
  const bytes = fs.readFileSync(bundle);
  const size = { minifiedBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  figures.proxyBundle = size;
  console.log(`\nbundle: federation proxy (esbuild via NodejsFunction, minified ESM, @aws-sdk/* external)`);
  console.log(`| minified bytes | gzip -9 bytes |\n| ---: | ---: |\n| ${size.minifiedBytes} | ${size.gzipBytes} |`);

  if (wanted('cold')) {
    // Inside the project so that the external @aws-sdk/* resolve, as they do in the runtime.
    const dir = path.resolve('.local', 'bench');
    fs.mkdirSync(path.join(dir, 'proxy'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
    fs.copyFileSync(bundle, path.join(dir, 'proxy', 'index.mjs'));
    fs.writeFileSync(path.join(dir, 'empty', 'index.mjs'), 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
    const t = tenantSchema.parse(parse(fs.readFileSync(EXAMPLE, 'utf8')));
    const aws = await startAwsStandIn();
    aws.addKey('arn:aws:kms:ap-northeast-1:111122223333:key/bench', 'RSA_2048');
    aws.addKey('arn:aws:kms:ap-northeast-1:111122223333:key/bench2', 'ECC_NIST_P256');
    aws.putSecret('arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:a', JSON.stringify({ client_secret: 'bench-client-secret' }));
    aws.putSecret('arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:b', 'bench-sealing-secret-bench-sealing-secret');
    aws.putSecret('arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:c', 'bench-origin-secret');
    const env = {
      PROXY_CONFIG: JSON.stringify(proxyConfigOf(t as typeof t & { jpki: NonNullable<typeof t.jpki> })),
      CLIENT_ASSERTION_KEY_ID: 'arn:aws:kms:ap-northeast-1:111122223333:key/bench',
      TOKEN_SIGNING_KEY_ID: 'arn:aws:kms:ap-northeast-1:111122223333:key/bench2',
      CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:a',
      SEALING_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:b',
      ORIGIN_VERIFY_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:c',
      ...standInEnvironment(aws.endpoint),
      LOG_LEVEL: 'ERROR',
    };
    // The first request of a sign-in: /authorize through CloudFront (the example has jpki.edge),
    // which checks the secrets, seals the transaction and redirects to the OP.
    const query = new URLSearchParams({ client_id: 'myna-idp-example', redirect_uri: 'https://auth.example.co.jp/oauth2/idpresponse', response_type: 'code', scope: 'openid', state: 'bench-state' });
    const event = {
      version: '2.0', rawPath: '/authorize', rawQueryString: query.toString(),
      headers: { host: 'bench.lambda-url.ap-northeast-1.on.aws', 'x-myna-origin-verify': 'bench-origin-secret', 'x-myna-viewer-host': 'd111111abcdef8.cloudfront.net' },
      requestContext: { domainName: 'bench.lambda-url.ap-northeast-1.on.aws', http: { method: 'GET' } },
    };
    const runs = 20;
    const proxy: Array<{ importMs: number; firstResponseMs: number }> = [];
    const empty: Array<{ importMs: number; firstResponseMs: number }> = [];
    for (let i = 0; i < runs; i++) {
      empty.push(await coldStart(path.join(dir, 'empty', 'index.mjs'), env, event));
      proxy.push(await coldStart(path.join(dir, 'proxy', 'index.mjs'), env, event));
    }
    await aws.close();
    const med = (xs: Array<{ importMs: number; firstResponseMs: number }>, k: 'importMs' | 'firstResponseMs') => median(xs.map((x) => x[k]));
    const cold = {
      runs,
      proxyImportMedianMs: round(med(proxy, 'importMs')), emptyImportMedianMs: round(med(empty, 'importMs')), addedImportMedianMs: round(med(proxy, 'importMs') - med(empty, 'importMs')),
      proxyFirstResponseMedianMs: round(med(proxy, 'firstResponseMs')), emptyFirstResponseMedianMs: round(med(empty, 'firstResponseMs')),
      addedFirstResponseMedianMs: round(med(proxy, 'firstResponseMs') - med(empty, 'firstResponseMs')),
    };
    figures.coldStart = cold;
    console.log(`\ncold start: fresh node ${process.version} process (node:http loaded first, as Lambda's runtime has it), median of ${runs}`);
    console.log('| | proxy handler (ms) | empty handler (ms) | difference (ms) |\n| --- | ---: | ---: | ---: |');
    console.log(`| import | ${cold.proxyImportMedianMs} | ${cold.emptyImportMedianMs} | ${cold.addedImportMedianMs} |`);
    console.log(`| import and first request (/authorize: secrets checked, transaction sealed) | ${cold.proxyFirstResponseMedianMs} | ${cold.emptyFirstResponseMedianMs} | ${cold.addedFirstResponseMedianMs} |`);
  }
}

// --- latency and concurrency -------------------------------------------------------------------
if (wanted('latency')) {
  const signer = LocalSigner.generate('RS256');
  const [opPort, proxyPort] = [await freePort(), await freePort()];
  const jwks = { keys: [await signer.publicJwk()] };
  const directRedirect = 'https://direct-rp.example/callback';
  const op = await startOpEmulator({
    port: opPort,
    idTokenAlg: 'ES256',
    clients: [
      { client_id: 'RP00000001', redirect_uris: [`http://127.0.0.1:${proxyPort}/callback`], jwks, token_endpoint_auth_signing_alg: 'RS256' },
      { client_id: 'RP00000009', redirect_uris: [directRedirect], jwks, token_endpoint_auth_signing_alg: 'RS256' },
    ],
  });
  const issuer = `http://localhost:${opPort}${OP_REALM_PATH}`;
  const tenant = tenantSchema.parse({
    id: 'bench', account: '111122223333', region: 'ap-northeast-1', environment: 'sandbox', domain: { prefix: 'bench-login' },
    signIn: { firstFactors: ['password'] }, appClients: [{ name: 'web', public: true, callbackUrls: ['https://app.example/cb'] }],
    jpki: { environment: 'custom', issuer, clientId: 'RP00000001', requireAtHash: true },
  });
  const config = proxyConfigOf(tenant as typeof tenant & { jpki: NonNullable<typeof tenant.jpki> });
  const proxy = await startLocalProxy({ port: proxyPort, config, clientAssertionSigner: signer });
  const o = proxy.origin;
  const viaProxy = new CognitoLikeRp({ clientId: config.cognito.clientId, clientSecret: proxy.clientSecret, issuer: o, authorizeUrl: `${o}/authorize`, tokenUrl: `${o}/token`, attributesUrl: `${o}/userinfo`, jwksUri: `${o}/jwks`, scopes: config.op.scopes.join(' '), redirectUri: config.cognito.redirectUri });
  const direct = await DirectRp.create({ issuer, clientId: 'RP00000009', redirectUri: directRedirect, signer, scope: config.op.scopes.join(' ') });

  const time = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const n = 200;
  const round_ = async (roundTripMs: number) => {
    op.faults = roundTripMs ? { roundTripMs } : {};
    for (let i = 0; i < 10; i++) {
      await viaProxy.signIn({ person: 'test-0001' });
      await direct.signIn({ person: 'test-0001' });
    } // warm-up
    const proxied: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < n; i++) {
      const person = op.persons[i % op.persons.length]!.id;
      proxied.push(await time(() => viaProxy.signIn({ person })));
      directMs.push(await time(() => direct.signIn({ person })));
    }
    return {
      signIns: n,
      opRoundTripMs: roundTripMs,
      proxyMedianMs: round(median(proxied)), proxyP99Ms: round(quantile(proxied, 0.99)),
      directMedianMs: round(median(directMs)), directP99Ms: round(quantile(directMs, 0.99)),
      addedMedianMs: round(median(proxied) - median(directMs)), addedP99Ms: round(quantile(proxied, 0.99) - quantile(directMs, 0.99)),
      ratioMedian: round(median(proxied) / median(directMs)),
    };
  };
  const local = await round_(0);
  // 20 ms each way: every answer of the OP (browser redirects and back-channel calls alike) waits 40 ms.
  const remote = await round_(40);
  op.faults = {};
  figures.signInLatency = { localhost: local, simulatedOpRoundTrip: remote };
  for (const [label, latency] of [['everything on localhost', local], ['with a simulated 20 ms each way to the OP', remote]] as const) {
    console.log(`\nsign-in latency (${label}): ${n} sequential sign-ins each way, one node process`);
    console.log('| path | median (ms) | p99 (ms) |\n| --- | ---: | ---: |');
    console.log(`| Cognito-like RP -> proxy -> OP emulator | ${latency.proxyMedianMs} | ${latency.proxyP99Ms} |`);
    console.log(`| RP -> OP emulator directly | ${latency.directMedianMs} | ${latency.directP99Ms} |`);
    console.log(`| added by the proxy | ${latency.addedMedianMs} | ${latency.addedP99Ms} |`);
    console.log(`| ratio of medians (proxy / direct) | ${latency.ratioMedian} | |`);
  }

  const concurrent = 50;
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: concurrent }, (_, i) => viaProxy.signIn({ person: op.persons[i % op.persons.length]!.id })));
  const wall = performance.now() - t0;
  const errors = results.filter((r) => r.status === 'rejected');
  figures.concurrentSignIns = { concurrent, errors: errors.length, wallMs: round(wall) };
  console.log(`\n${concurrent} concurrent sign-ins through the proxy: ${errors.length} errors, ${round(wall)} ms wall time`);
  if (errors.length) console.log(`first error: ${(errors[0] as PromiseRejectedResult).reason}`);
  await proxy.close();
  await op.close();
}

// --- events: sign-in latency with security event publishing on and off ------------------------------
if (wanted('events')) {
  const signer = LocalSigner.generate('RS256');
  const [opPort, onPort, offPort] = [await freePort(), await freePort(), await freePort()];
  const jwks = { keys: [await signer.publicJwk()] };
  const op = await startOpEmulator({
    port: opPort,
    idTokenAlg: 'ES256',
    clients: [
      { client_id: 'RP00000001', redirect_uris: [`http://127.0.0.1:${onPort}/callback`], jwks, token_endpoint_auth_signing_alg: 'RS256' },
      { client_id: 'RP00000002', redirect_uris: [`http://127.0.0.1:${offPort}/callback`], jwks, token_endpoint_auth_signing_alg: 'RS256' },
    ],
  });
  const issuer = `http://localhost:${opPort}${OP_REALM_PATH}`;
  const tenantOf = (clientId: string) =>
    tenantSchema.parse({
      id: 'bench', account: '111122223333', region: 'ap-northeast-1', environment: 'sandbox', domain: { prefix: 'bench-login' },
      signIn: { firstFactors: ['password'] }, appClients: [{ name: 'web', public: true, callbackUrls: ['https://app.example/cb'] }],
      jpki: { environment: 'custom', issuer, clientId, requireAtHash: true },
    });
  const tenant = tenantOf('RP00000001');
  const configOf = (t: typeof tenant) => proxyConfigOf(t as typeof t & { jpki: NonNullable<typeof t.jpki> });
  const config = configOf(tenant);
  const offConfig = configOf(tenantOf('RP00000002'));
  // On: PutEvents over HTTP to the local bus (signed, schema-checked), bounded as in Lambda. Off: the log line only.
  const aws = await startAwsStandIn();
  const publisher = new EventBridgePublisher(new AwsJsonClient({ service: 'events', region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, timeoutMs: tenant.operations.events.publishTimeoutMs }), 'myna-idp-bench');
  const on = await startLocalProxy({ port: onPort, config, clientAssertionSigner: signer, publisher });
  const off = await startLocalProxy({ port: offPort, config: offConfig, clientAssertionSigner: signer });
  const rpOf = (p: typeof on) => new CognitoLikeRp({ clientId: config.cognito.clientId, clientSecret: p.clientSecret, issuer: p.origin, authorizeUrl: `${p.origin}/authorize`, tokenUrl: `${p.origin}/token`, attributesUrl: `${p.origin}/userinfo`, jwksUri: `${p.origin}/jwks`, scopes: config.op.scopes.join(' '), redirectUri: config.cognito.redirectUri });
  const [rpOn, rpOff] = [rpOf(on), rpOf(off)];
  const time = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  for (let i = 0; i < 10; i++) {
    await rpOn.signIn({ person: 'test-0001' });
    await rpOff.signIn({ person: 'test-0001' });
  }
  const n = 200;
  const onMs: number[] = [];
  const offMs: number[] = [];
  const published = aws.eventBus.events.length;
  for (let i = 0; i < n; i++) {
    const person = op.persons[i % op.persons.length]!.id;
    // Interleaved, so that both see the same machine.
    onMs.push(await time(() => rpOn.signIn({ person })));
    offMs.push(await time(() => rpOff.signIn({ person })));
  }
  const events = {
    signIns: n,
    publishedPerSignIn: round((aws.eventBus.events.length - published) / n),
    refused: aws.eventBus.refused.length,
    onMedianMs: round(median(onMs)), offMedianMs: round(median(offMs)), addedMedianMs: round(median(onMs) - median(offMs)),
    onP99Ms: round(quantile(onMs, 0.99)), offP99Ms: round(quantile(offMs, 0.99)), addedP99Ms: round(quantile(onMs, 0.99) - quantile(offMs, 0.99)),
    goalMedianMs: 5,
  };
  figures.eventPublishing = events;
  console.log(`\nsign-in latency with security event publishing on and off: ${n} sequential card sign-ins each (Cognito-like RP -> proxy -> OP emulator), interleaved`);
  console.log(`events published per sign-in: ${events.publishedPerSignIn} (each PutEvents over HTTP to the local bus, bound ${tenant.operations.events.publishTimeoutMs} ms); entries refused by the schema: ${events.refused}`);
  console.log('| publishing | median (ms) | p99 (ms) |\n| --- | ---: | ---: |');
  console.log(`| on | ${events.onMedianMs} | ${events.onP99Ms} |`);
  console.log(`| off | ${events.offMedianMs} | ${events.offP99Ms} |`);
  console.log(`| added by publishing (goal: at most 5 ms at the median) | ${events.addedMedianMs} | ${events.addedP99Ms} |`);
  await on.close();
  await off.close();
  await aws.close();
  await op.close();
}

if (wanted('triggers')) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'myna-idp-bench-trg-'));
  const { app } = buildApp({ tenantsDir: path.dirname(EXAMPLE), only: 'example', app: new App({ outdir, context: cdkContext() }) });
  app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'MynaIdp-example.template.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'MynaIdp-example.assets.json'), 'utf8'));
  const bundleOf = (prefix: string) => {
    const [, fn] = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))!;
    return { file: path.join(outdir, manifest.files[String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')].source.path as string, 'index.mjs'), env: fn.Properties.Environment.Variables as Record<string, unknown> };
  };
  const trigger = bundleOf('JpkiStepUpTokenClaims');
  const bytes = fs.readFileSync(trigger.file);
  const dir = path.resolve('.local', 'bench');
  fs.mkdirSync(path.join(dir, 'token-claims'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
  fs.copyFileSync(trigger.file, path.join(dir, 'token-claims', 'index.mjs'));
  fs.writeFileSync(path.join(dir, 'empty', 'index.mjs'), 'export const handler = async (e) => e;\n');
  const aws = await startAwsStandIn();
  const env = { ...standInEnvironment(aws.endpoint), CARD_RECORDS_TABLE: 'CardRecords', TOKEN_CLAIMS_CONFIG: String(trigger.env.TOKEN_CLAIMS_CONFIG) };
  const config = JSON.parse(env.TOKEN_CLAIMS_CONFIG) as { opIssuer: string; providerName: string };
  aws.dynamo.handle('PutItem', { TableName: 'CardRecords', Item: { pk: { S: 'card#bench-sub' }, attrs: { S: JSON.stringify({ name: '番号 花子', address: '大阪府大阪市北区梅田三丁目1番1号', birthdate: '1992-11-23', gender: 'female' }) }, acr: { S: 'aal3' }, authTime: { N: '1800000000' }, opIssuer: { S: config.opIssuer }, sessionTime: { N: '1800000001' } } });
  aws.dynamo.handle('PutItem', { TableName: 'CardRecords', Item: { pk: { S: 'config#clients' }, clients: { S: JSON.stringify({ 'bench-client': ['name', 'birthdate'] }) } } });
  const event = { version: '2', triggerSource: 'TokenGeneration_HostedAuth', region: 'ap-northeast-1', userPoolId: 'ap-northeast-1_bench', userName: `${config.providerName}_bench-sub`, callerContext: { awsSdkVersion: 'x', clientId: 'bench-client' }, request: { userAttributes: { 'cognito:user_status': 'EXTERNAL_PROVIDER' }, groupConfiguration: {}, scopes: ['openid'] }, response: {} };
  const importOnce = async (file: string) => {
    const code = ['const t0 = performance.now();', `await import(${JSON.stringify(`file://${file}`)});`, 'process.stdout.write(String(performance.now() - t0));'].join('\n');
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } });
    return Number(stdout);
  };
  const imports: number[] = [];
  const empties: number[] = [];
  for (let i = 0; i < 20; i++) {
    empties.push(await importOnce(path.join(dir, 'empty', 'index.mjs')));
    imports.push(await importOnce(path.join(dir, 'token-claims', 'index.mjs')));
  }
  // Warm: this process, with the trigger's environment.
  Object.assign(process.env, env);
  const mod = (await import(`file://${path.join(dir, 'token-claims', 'index.mjs')}`)) as { handler: (e: unknown) => Promise<{ response: { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: Record<string, unknown> } } } }> };
  const first = await mod.handler(structuredClone(event));
  if (!first.response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride.verified_claims) throw new Error('the trigger added no verified_claims: the bench is not measuring the real path');
  const warmOf = async (e: unknown) => {
    const out: number[] = [];
    for (let i = 0; i < 1050; i++) {
      const t0 = performance.now();
      await mod.handler(structuredClone(e));
      if (i >= 50) out.push(performance.now() - t0);
    }
    return out;
  };
  const warm = await warmOf(event);
  // A pool user whose identities (kept by Cognito) name the linked card: one read, of the card.
  aws.dynamo.handle('UpdateItem', { TableName: 'CardRecords', Key: { pk: { S: 'card#bench-sub' } }, UpdateExpression: 'SET linkedUser = :u', ExpressionAttributeValues: { ':u': { S: 'bench-pool-user' } } });
  const identities = JSON.stringify([{ userId: 'bench-sub', providerName: config.providerName, providerType: 'OIDC', issuer: null, primary: 'false', dateCreated: '1' }]);
  const linkedEvent = { ...event, userName: 'bench-pool-user', request: { ...event.request, userAttributes: { 'cognito:user_status': 'CONFIRMED', identities } } };
  const linked = await mod.handler(structuredClone(linkedEvent));
  if (!linked.response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride.verified_claims) throw new Error('the linked user got no verified_claims: the bench is not measuring the real path');
  const warmLinked = await warmOf(linkedEvent);
  // A pool user without a card: no identities, so the link record is read (and names nothing).
  const warmNoCard = await warmOf({ ...event, userName: 'bench-no-card', request: { ...event.request, userAttributes: { 'cognito:user_status': 'CONFIRMED' } } });
  // A pool user with other identities only: nothing to read.
  const warmOtherIdp = await warmOf({ ...event, userName: 'bench-google', request: { ...event.request, userAttributes: { 'cognito:user_status': 'CONFIRMED', identities: JSON.stringify([{ userId: 'g', providerName: 'Google' }]) } } });
  const { overridesFor } = await import('../lambdas/token-claims/claims');
  const card = { sub: 'bench-sub', attributes: { name: '番号 花子', birthdate: '1992-11-23' }, acr: 'aal3', authTime: 1_800_000_000, opIssuer: config.opIssuer, sessionTime: 1_800_000_001 };
  const compute: number[] = [];
  for (let i = 0; i < 11_000; i++) {
    const t0 = performance.now();
    overridesFor(event as never, config as never, card, { 'bench-client': ['name', 'birthdate'] });
    if (i >= 1000) compute.push(performance.now() - t0);
  }
  await aws.close();
  const f = {
    minifiedBytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    importMedianMs: round(median(imports)),
    emptyImportMedianMs: round(median(empties)),
    addedImportMedianMs: round(median(imports) - median(empties)),
    warmInvocationMedianMs: round(median(warm), 3),
    warmInvocationP99Ms: round(quantile(warm, 0.99), 3),
    warmLinkedUserMedianMs: round(median(warmLinked), 3),
    warmNoCardMedianMs: round(median(warmNoCard), 3),
    warmOtherIdentitiesMedianMs: round(median(warmOtherIdp), 3),
    claimsOnlyMedianMs: round(median(compute), 4),
  };
  figures.tokenClaimsTrigger = f;
  console.log('\ntrigger: pre token generation (token-claims), as cdk synth bundles it');
  console.log('| figure | value | goal |\n| --- | ---: | ---: |');
  console.log(`| bundle, minified (bytes) | ${f.minifiedBytes} | 50,000 |`);
  console.log(`| bundle, gzip -9 (bytes) | ${f.gzipBytes} | |`);
  console.log(`| cold import, added to an empty handler (ms, median of 20) | ${f.addedImportMedianMs} | 50 |`);
  console.log(`| warm invocation, the card's own user: one DynamoDB read on localhost HTTP (ms, median / p99 of 1,000) | ${f.warmInvocationMedianMs} / ${f.warmInvocationP99Ms} | 1 |`);
  console.log(`| warm invocation, a pool user with the card linked (identities): one read (ms, median of 1,000) | ${f.warmLinkedUserMedianMs} | 1 |`);
  console.log(`| warm invocation, a pool user without a card or identities: one read of the link record (ms, median of 1,000) | ${f.warmNoCardMedianMs} | 1 |`);
  console.log(`| warm invocation, a pool user with other identities only: no read (ms, median of 1,000) | ${f.warmOtherIdentitiesMedianMs} | 1 |`);
  console.log(`| claims built once the reads are answered (ms, median of 10,000) | ${f.claimsOnlyMedianMs} | |`);
}

if (wanted('sandbox')) {
  const { chromium } = await import('playwright-core');
  const { writeLocalTenantCopy } = await import('../tools/cli/sandbox-tenant');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myna-idp-bench-sandbox-'));
  const { file } = await writeLocalTenantCopy(dir);
  const localDir = path.join(dir, 'local');
  const stateFile = path.join(localDir, 'sandbox.json');
  const { spawn } = await import('node:child_process');
  const startOnce = async () => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts', '--tenant-file', file, '--local-dir', localDir, '--quiet'], { detached: true, stdio: 'ignore' });
    while (!fs.existsSync(stateFile)) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - t0) / 1000;
    const stop = () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); process.kill(-child.pid!, 'SIGINT'); });
    return { seconds, stop, state: JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, string> };
  };
  const starts: number[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await startOnce();
    starts.push(r.seconds);
    await r.stop();
  }
  const running = await startOnce();
  starts.push(running.seconds);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const journeys: number[] = [];
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const t0 = performance.now();
    const email = `bench${i}@example.jp`;
    await page.goto(running.state.app!);
    await page.getByRole('link', { name: /^サインイン/ }).click();
    await page.getByRole('link', { name: /アカウントを作成/ }).click();
    await page.getByLabel(/メールアドレス/).fill(email);
    await page.getByLabel(/パスワード/).fill('Bench-Passw0rd!');
    await page.getByRole('button', { name: /アカウントを作成/ }).click();
    await page.getByLabel(/コード/).waitFor();
    const mailbox = (await (await fetch(`${running.state.cognito}/mailbox.json`)).json()) as Array<{ to: string; body: string }>;
    await page.getByLabel(/コード/).fill(/\b(\d{6})\b/.exec(mailbox.filter((m) => m.to === email).at(-1)!.body)![1]!);
    await page.getByRole('button', { name: /確認/ }).click();
    await page.waitForURL(running.state.app!);
    await page.getByRole('link', { name: /サインアウト/ }).click();
    await page.getByRole('link', { name: /マイナンバーカードで登録・サインイン/ }).click();
    await page.getByRole('button', { name: '応答する' }).click();
    await page.waitForURL(running.state.app!);
    await page.goto(`${running.state.app}profile`);
    await page.locator('h1').waitFor();
    journeys.push((performance.now() - t0) / 1000);
    await context.close();
  }
  await browser.close();
  await running.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  figures.sandbox = { startToReadySeconds: round(median(starts)), startRuns: starts.map((x) => round(x)), browserJourneySeconds: round(median(journeys)), journeyRuns: journeys.map((x) => round(x)) };
  console.log('\nsandbox (npm run sandbox on a generated copy of the local tenant)');
  console.log('| figure | median (s) | runs (s) |\n| --- | ---: | --- |');
  console.log(`| start to ready (spawn to .local/sandbox.json) | ${round(median(starts))} | ${starts.map((x) => round(x)).join(', ')} |`);
  console.log(`| one browser journey (sign-up, mailed code, sign-out, card sign-in, profile) | ${round(median(journeys))} | ${journeys.map((x) => round(x)).join(', ')} |`);
}

if (wanted('tests')) {
  /** Runs a command to its end, output kept out of the way, and returns its wall time in seconds; throws if it fails. */
  const timed = (command: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd: o.cwd ?? process.cwd(), env: { ...process.env, ...o.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const seconds = round((performance.now() - t0) / 1000, 1);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal}) after ${seconds} s:\n${`${r.stdout}${r.stderr}`.slice(-4000)}`);
    return seconds;
  };
  const unitRuns = [0, 1, 2].map(() => timed('npm', ['run', 'test:unit', '--silent']));
  fs.rmSync(path.join('node_modules', '.cache', 'myna-idp-tests'), { recursive: true, force: true });
  const fullCold = timed('npm', ['test', '--silent']);
  const fullWarm = timed('npm', ['test', '--silent']);
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'myna-idp-bench-ci-'));
  timed('git', ['clone', '--quiet', '--no-hardlinks', process.cwd(), clone]);
  const ci = timed('bash', ['.ci/run'], { cwd: clone, env: { CI: 'true' } });
  fs.rmSync(clone, { recursive: true, force: true });
  figures.tests = { unitSeconds: round(median(unitRuns), 1), unitRuns, fullNpmTestColdAssemblySeconds: fullCold, fullNpmTestWarmAssemblySeconds: fullWarm, ciCleanCloneSeconds: ci, cores: os.cpus().length };
  console.log(`\ntests (wall time on ${os.cpus().length} cores; targets of issue 18)`);
  console.log('| figure | seconds | target |\n| --- | ---: | ---: |');
  console.log(`| unit project, npm run test:unit (median of 3: ${unitRuns.join(', ')}) | ${round(median(unitRuns), 1)} | 30 |`);
  console.log(`| full npm test, assembly cache empty | ${fullCold} | 240 |`);
  console.log(`| full npm test, assembly cache warm | ${fullWarm} | 240 |`);
  console.log(`| CI on a clean clone of HEAD: bash .ci/run (npm ci + npm test) | ${ci} | 360 |`);
}

console.log('\nJSON:');
console.log(JSON.stringify(figures, null, 2));
