/**
 * The stand-in's one shared state: the pool read from the template, its users, settings,
 * triggers and signing keys, the sign-ins, sessions, codes and tokens in progress, and the
 * local mailbox. The route modules (routes/) register their routes against it.
 */
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { createRemoteJWKSet } from 'jose';
import type { MailboxMessage } from './pages';
import { PoolSettings, type Level } from './pool-settings';
import { readPoolModel, type AppClientModel, type CfnTemplate, type IdentityProviderModel, type LocalResources, type PoolModel } from './template';
import { poolSigner, type Grant, type TokenSigner } from './tokens';
import { Triggers } from './triggers';
import { UserStore } from './users';

export interface StandInOptions {
  readonly template: CfnTemplate;
  /** The cloud assembly folder (for the triggers' bundled code). */
  readonly assemblyDir?: string;
  readonly local: LocalResources;
  readonly port?: number;
  readonly host?: string;
  /** Host name of the stand-in's origin: also the passkeys' relying party id (default localhost). */
  readonly publicHost?: string;
  /** Client secrets by app client name (generated for clients with GenerateSecret when absent). */
  readonly clientSecrets?: Readonly<Record<string, string>>;
  /** Added to every trigger's environment (AWS region, credentials and endpoints of local stand-ins). */
  readonly lambdaEnvironment?: Readonly<Record<string, string>>;
  /** One line per notable event (sign-in, sign-up, federation), never a secret or token. */
  readonly log?: (line: string) => void;
  /** false: UpdateUserPool accepts AcrConfiguration and forgets it, as a public test in October 2026 found Cognito doing. Default true. */
  readonly nativeLevelsKept?: boolean;
}

/** A sign-in in progress on the managed login pages: the app's /oauth2/authorize request. */
export interface AuthorizeRequest {
  readonly client: AppClientModel;
  readonly redirectUri: string;
  readonly state?: string;
  readonly scopes: string[];
  readonly codeChallenge?: string;
  readonly nonce?: string;
  readonly prompt?: string;
  readonly loginHint?: string;
  /** The native level the app asked for with acr_values (only once native levels are set). */
  readonly level?: Level;
  readonly created: number;
  /** The browser this sign-in runs in (the value of its binding cookie): pages of another browser cannot continue it. */
  readonly browser: string;
  /** Where to go after signing in instead of back to the app (the passkey page). */
  returnTo?: string;
  passkeyChallenge?: { challenge: string; username: string };
}

export interface Session { readonly username: string; readonly authTime: number; readonly method: string; readonly expires: number; readonly level: Level; readonly amr: readonly string[]; registrationChallenge?: string }
export interface AuthorizationCode { readonly grant: Grant; readonly client: AppClientModel; readonly redirectUri: string; readonly codeChallenge?: string; readonly expires: number }
export interface RefreshGrant { readonly grant: Grant; readonly client: AppClientModel; readonly expires: number }
/** A sign-in sent to an identity provider, by the state it was sent with. */
export interface Federation { readonly tx: string; readonly provider: IdentityProviderModel; readonly expires: number }

export interface StandInState {
  readonly model: PoolModel;
  readonly pool: PoolModel['pool'];
  readonly region: string;
  readonly log: (line: string) => void;
  readonly users: UserStore;
  readonly signer: TokenSigner;
  /** What DescribeUserPool and UpdateUserPool read and change; a trigger UpdateUserPool left out stops running. */
  readonly settings: PoolSettings;
  readonly triggers: Triggers;
  readonly mailbox: MailboxMessage[];
  readonly txs: Map<string, AuthorizeRequest>;
  readonly sessions: Map<string, Session>;
  readonly codes: Map<string, AuthorizationCode>;
  readonly refreshTokens: Map<string, RefreshGrant>;
  readonly federations: Map<string, Federation>;
  /** Client secrets by client id (clients with GenerateSecret only). */
  readonly secrets: Map<string, string>;
  /** Each identity provider's keys, fetched once. */
  readonly providerJwks: Map<string, ReturnType<typeof createRemoteJWKSet>>;
  /** Host name of the origin, and the passkeys' relying party id. */
  readonly publicHost: string;
  /** Known once the server listens. */
  origin: string;
  /** <origin>/<userPoolId>, as https://cognito-idp.<region>.amazonaws.com/<userPoolId>. */
  issuer: string;
}

/** What each route module exports: it registers its routes on the app. */
export type Routes = (app: Hono, s: StandInState) => void;

/** Sign-in pages: 15 minutes. */
export const TX_MS = 15 * 60_000;

/** A key of the state's maps, or a secret handed out (codes, tokens, cookies): 192 random bits. */
export const newId = () => randomBytes(24).toString('base64url');

export async function createState(o: StandInOptions): Promise<StandInState> {
  const model = readPoolModel(o.template, o.local, o.assemblyDir);
  const { pool } = model;
  const settings = new PoolSettings(model, o.nativeLevelsKept !== false);
  const secrets = new Map<string, string>();
  for (const c of model.clients) if (c.generateSecret) secrets.set(c.id, o.clientSecrets?.[c.name] ?? randomBytes(39).toString('base64url'));
  return {
    model,
    pool,
    region: o.local.region,
    log: o.log ?? (() => undefined),
    users: new UserStore(pool),
    signer: await poolSigner(),
    settings,
    triggers: new Triggers(pool, o.local.region, o.lambdaEnvironment, (name) => settings.hasTrigger(name)),
    mailbox: [],
    txs: new Map(),
    sessions: new Map(),
    codes: new Map(),
    refreshTokens: new Map(),
    federations: new Map(),
    secrets,
    providerJwks: new Map(),
    publicHost: o.publicHost ?? 'localhost',
    origin: '',
    issuer: '',
  };
}

/** Forgotten sign-ins, codes, federations and sessions are dropped as they expire. */
export function sweepExpired(s: StandInState): void {
  const now = Date.now();
  for (const [k, t] of s.txs) if (t.created + TX_MS < now) s.txs.delete(k);
  for (const [k, x] of s.codes) if (x.expires < now) s.codes.delete(k);
  for (const [k, f] of s.federations) if (f.expires < now) s.federations.delete(k);
  for (const [k, x] of s.sessions) if (x.expires < now) s.sessions.delete(k);
}

export const clientById = (s: StandInState, id: string | undefined) => s.model.clients.find((c) => c.id === id);
export const providerByName = (s: StandInState, name: string) => s.model.identityProviders.find((p) => p.name === name);
/** Whether the client may read an attribute (identities always). */
export const readable = (client: AppClientModel) => (name: string) => name === 'identities' || !client.readAttributes || client.readAttributes.includes(name);
