import type { CardRecordStore } from '../shared/card-records';
import type { Sealer } from './crypto/sealing';
import type { SecurityEventSink } from '../shared/security-events';
import type { JwsSigner } from './crypto/signer';
import type { ProxyConfig } from './config';

/** What the proxy needs from its surroundings: real AWS services in Lambda, local ones elsewhere. */
export interface FederationProxyDeps {
  readonly config: ProxyConfig;
  /** Signs client assertions to the OP (KMS key registered at the Digital Agency). */
  readonly clientAssertionSigner: JwsSigner;
  /** Signs the ID tokens the proxy gives Cognito. */
  readonly tokenSigner: JwsSigner;
  readonly sealer: Sealer;
  /**
   * Cognito's client secrets at the proxy (Secrets Manager): the current one and, during a
   * rotation, the previous one, so that Cognito can be updated after the secret without a gap.
   */
  readonly clientSecrets: () => Promise<readonly string[]>;
  readonly events: SecurityEventSink;
  /** The proxy's public origin (its issuer), e.g. https://abc.lambda-url.ap-northeast-1.on.aws */
  readonly publicOrigin: (request: Request, env: unknown) => string;
  /** Least time between two fetches of the OP's JWKS (default 1 s; see shared/op-keys). */
  readonly jwksMinRefetchIntervalMs?: number;
  /** Whether a request may be served at all (behind CloudFront: it carries the origin secret). */
  readonly admit?: (request: Request) => Promise<boolean>;
  /** Resolves once the deployment is usable (its secrets checked); rejects with a ConfigurationError otherwise. */
  readonly ready?: () => Promise<void>;
  /** The clock (tests). Default: Date.now. */
  readonly now?: () => number;
  /** Where each validated card authentication is recorded (DynamoDB; memory locally). */
  readonly cards?: CardRecordStore;
  /** Account linking through the user pool's admin API (AdminLinkProviderForUser). */
  readonly linking?: AccountLinking;
  /** Told of an unexpected error (the operator's log), besides the security event. */
  readonly onInternalError?: (error: Error) => void;
}

/** What the proxy does in the user pool to link a card to an existing user. */
export interface AccountLinking {
  /** The pool's username of a valid access token of this pool (any app client), or undefined. */
  /** `account`: how the confirmation page names the account (its email, masked). */
  userOfAccessToken(token: string): Promise<{ username: string; native: boolean; account: string } | undefined>;
  /** Whether the pool has a user of this name (the card's own federated user, `<provider>_<sub>`), and whether it is enabled. */
  userState(username: string): Promise<{ enabled: boolean; identities: number; cards: readonly string[] } | undefined>;
  /** AdminLinkProviderForUser: the card subject `sub` becomes an identity of the native user `username`. */
  link(username: string, sub: string): Promise<void>;
  /** AdminDeleteUser of the card's own user (`<provider>_<sub>`), so its identity can be linked (a merge the person confirmed). */
  deleteCardUser(sub: string): Promise<void>;
}
