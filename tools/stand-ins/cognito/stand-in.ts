/**
 * A stand-in for the part of Amazon Cognito this product relies on, for the local sandbox and
 * tests (never deployed): one user pool read from a tenant's synthesized template, with its
 * managed login (password, passkeys, email codes, sign-up with a mailed code), OIDC federation
 * toward the identity provider of the template (the federation proxy), the OAuth 2.0 / OIDC
 * endpoints, the user pool API actions apps and the product use, and the pool's Lambda
 * triggers run from their bundled code. Each behaviour and its AWS documentation page:
 * tools/stand-ins/cognito/README.md.
 *
 * This file builds the one shared state (state.ts), registers the route modules (routes/) on
 * it and starts the server.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { MailboxMessage } from './pages';
import type { PoolSettings } from './pool-settings';
import { apiRoutes } from './routes/api';
import { authorizeRoutes } from './routes/authorize';
import { guards } from './routes/guards';
import { homeRoutes } from './routes/home';
import { idpResponseRoutes } from './routes/idp-response';
import { loginRoutes } from './routes/login';
import { logoutRoutes } from './routes/logout';
import { mailboxRoutes } from './routes/mailbox';
import { passkeyRoutes } from './routes/passkeys';
import { signUpRoutes } from './routes/signup';
import { tokenRoutes } from './routes/token';
import { userInfoRoutes } from './routes/userinfo';
import { wellKnownRoutes } from './routes/well-known';
import { createState, sweepExpired, type Routes, type StandInOptions } from './state';
import type { PoolModel } from './template';
import type { Triggers } from './triggers';
import type { UserStore } from './users';

export type { StandInOptions } from './state';

export interface RunningStandIn {
  readonly origin: string;
  /** The pool's issuer: <origin>/<userPoolId>, as https://cognito-idp.<region>.amazonaws.com/<userPoolId>. */
  readonly issuer: string;
  readonly model: PoolModel;
  readonly clients: ReadonlyArray<{ name: string; id: string; secret?: string }>;
  readonly users: UserStore;
  readonly mailbox: readonly MailboxMessage[];
  readonly triggers: Triggers;
  /** The pool's settings as its API reads them (DescribeUserPool). */
  readonly settings: PoolSettings;
  close(): Promise<void>;
}

/** In order: the guards first (they wrap every route), then the routes. */
const ROUTES: readonly Routes[] = [
  guards,
  homeRoutes,
  authorizeRoutes,
  loginRoutes,
  idpResponseRoutes,
  signUpRoutes,
  passkeyRoutes,
  tokenRoutes,
  userInfoRoutes,
  logoutRoutes,
  wellKnownRoutes,
  mailboxRoutes,
  apiRoutes,
];

export async function startCognitoStandIn(o: StandInOptions): Promise<RunningStandIn> {
  const s = await createState(o);
  const sweep = setInterval(() => sweepExpired(s), 60_000);
  sweep.unref();
  const app = new Hono();
  for (const register of ROUTES) register(app, s);

  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: o.port ?? 0, hostname: o.host ?? '127.0.0.1' }, () => resolve(started));
  });
  s.origin = `http://${s.publicHost}:${(server.address() as AddressInfo).port}`;
  s.issuer = `${s.origin}/${s.pool.id}`;
  return {
    origin: s.origin,
    issuer: s.issuer,
    model: s.model,
    clients: s.model.clients.map((c) => ({ name: c.name, id: c.id, ...(s.secrets.has(c.id) ? { secret: s.secrets.get(c.id) } : {}) })),
    users: s.users,
    settings: s.settings,
    mailbox: s.mailbox,
    triggers: s.triggers,
    close: async () => {
      clearInterval(sweep);
      await s.triggers.close();
      await new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
