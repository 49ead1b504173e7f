/**
 * The emulator's one shared state: its options, persons, keys, issuer, the store of
 * oidc-provider's models, and what a test sees and sets (faults and hits). The provider's
 * configuration, hooks and the server's routes read it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { OP_REALM_PATH } from '../../../lib/config/jpki';
import { createKeys, type EmulatorKeys } from './keys';
import type { AdapterStore } from './memory-adapter';
import { loadPersons, type TestPerson } from './persons';

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

export interface EmulatorState {
  readonly options: EmulatorOptions;
  readonly persons: readonly TestPerson[];
  readonly idTokenAlg: 'RS256' | 'ES256';
  /** <origin>/api/realms/main, as the Agency's. */
  readonly issuer: string;
  readonly keys: EmulatorKeys;
  /** Mixed into every pairwise `sub`: a new one at every start. */
  readonly pairwiseSalt: string;
  /** oidc-provider's models: the emulator's own, so that it can show whose session a browser holds, and end it. */
  readonly store: AdapterStore;
  /** What the caller holds: a test's faults are read from it at every request. */
  readonly running: RunningEmulator;
}

export async function createState(options: EmulatorOptions, origin: string): Promise<EmulatorState> {
  const persons = options.persons ?? loadPersons();
  const idTokenAlg = options.idTokenAlg ?? 'ES256';
  const issuer = `${origin}${OP_REALM_PATH}`;
  return {
    options,
    persons,
    idTokenAlg,
    issuer,
    keys: await createKeys(idTokenAlg),
    pairwiseSalt: randomBytes(16).toString('hex'),
    store: new Map(),
    running: { issuer, origin, persons, faults: {}, hits: {}, close: async () => undefined },
  };
}

/** The OP session this browser holds (its cookie), and whose it is. */
export function sessionOf(s: EmulatorState, req: IncomingMessage): { id: string; accountId: string | undefined } | undefined {
  const id = /(?:^|;\s*)_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const entry = id ? s.store.get(`Session:${id}`) : undefined;
  return id && entry && entry.expiresAt > Date.now() ? { id, accountId: entry.payload.accountId as string | undefined } : undefined;
}
