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
 *
 * This file starts the server around the one shared state (state.ts): the provider and its
 * hooks (provider.ts, configuration.ts) and the routes (routes.ts) read it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProvider } from './provider';
import { requestHandler } from './routes';
import { createState, type EmulatorOptions, type RunningEmulator } from './state';

export type { TestPerson } from './persons';
export type { EmulatorClient, EmulatorFaults, EmulatorOptions, RunningEmulator } from './state';

export async function startOpEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const s = await createState(options, `http://${options.publicHost ?? 'localhost'}:${port}`);
  const serve = requestHandler(s, createProvider(s));
  server.on('request', (req, res) => {
    const delay = s.running.faults.roundTripMs;
    if (delay) setTimeout(() => serve(req, res), delay);
    else serve(req, res);
  });
  s.running.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return s.running;
}
