/**
 * The federation proxy served on localhost: the same app as in Lambda, with local stand-ins
 * for AWS (local signers, secrets in memory, security events in memory and on stderr).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createFederationProxy } from '../../../lambdas/federation-proxy/app';
import type { ProxyConfig } from '../../../lambdas/federation-proxy/config';
import type { FederationProxyDeps } from '../../../lambdas/federation-proxy/deps';
import { Sealer } from '../../../lambdas/federation-proxy/crypto/sealing';
import { clientSecretsOf, MemorySecretStore } from '../../../lambdas/federation-proxy/aws/secrets';
import { jsonLog } from '../../../lambdas/shared/log';
import { MemorySecurityEventSink, PublishingSecurityEventSink, type SecurityEvent, type SecurityEventPublisher, type SecurityEventSink } from '../../../lambdas/shared/security-events';
import { LocalSigner, type JwsSigner } from '../../../lambdas/federation-proxy/crypto/signer';

export interface LocalProxyOptions {
  readonly config: ProxyConfig;
  readonly clientAssertionSigner: JwsSigner;
  readonly tokenSigner?: JwsSigner;
  /** Cognito's client secret at the proxy; random when absent. */
  readonly clientSecret?: string;
  readonly sealingSecret?: string;
  readonly port?: number;
  readonly host?: string;
  /** Host name in the proxy's origin (default 127.0.0.1). */
  readonly publicHost?: string;
  /** Also write each security event to stderr. */
  readonly logEvents?: boolean;
  readonly jwksMinRefetchIntervalMs?: number;
  /** The card records and account linking (the sandbox: DynamoDB and Cognito stand-ins). */
  readonly cards?: FederationProxyDeps['cards'];
  readonly linking?: FederationProxyDeps['linking'];
  /** Where events are published as in Lambda (the sandbox: the local bus over PutEvents). */
  readonly publisher?: SecurityEventPublisher;
}

export interface RunningProxy {
  readonly origin: string;
  readonly clientSecret: string;
  readonly events: readonly SecurityEvent[];
  readonly secrets: MemorySecretStore;
  readonly tokenSigner: JwsSigner;
  close(): Promise<void>;
}

export const SEALING_SECRET_ID = 'local/sealing';
export const CLIENT_SECRET_ID = 'local/client-secret';

export async function startLocalProxy(o: LocalProxyOptions): Promise<RunningProxy> {
  const clientSecret = o.clientSecret ?? randomBytes(32).toString('base64url');
  // The same forms as in Secrets Manager: the client secret as {"client_secret": ...}.
  const secrets = new MemorySecretStore(
    { [SEALING_SECRET_ID]: o.sealingSecret ?? randomBytes(48).toString('base64url'), [CLIENT_SECRET_ID]: JSON.stringify({ client_secret: clientSecret }) },
  );
  const previousWindowMs = o.config.previousSecretMinutes * 60_000;
  const memory = new MemorySecurityEventSink();
  // As in Lambda: the log line (here discarded) and the publisher, failures counted, never thrown.
  const published = o.publisher ? new PublishingSecurityEventSink({ component: 'federation-proxy', log: jsonLog('jpki-federation-proxy', {}, 'INFO', () => undefined), publisher: o.publisher }) : undefined;
  const events: SecurityEventSink = {
    emit: async (e) => {
      await memory.emit(e);
      await published?.emit(e);
      if (o.logEvents) process.stderr.write(`security event ${JSON.stringify(e)}\n`);
    },
  };
  const tokenSigner = o.tokenSigner ?? LocalSigner.generate('ES256');
  let origin = '';
  const app = createFederationProxy({
    config: o.config,
    clientAssertionSigner: o.clientAssertionSigner,
    tokenSigner,
    sealer: new Sealer(secrets, SEALING_SECRET_ID, previousWindowMs),
    clientSecrets: () => clientSecretsOf(secrets, CLIENT_SECRET_ID, previousWindowMs),
    events,
    publicOrigin: () => origin,
    jwksMinRefetchIntervalMs: o.jwksMinRefetchIntervalMs,
    cards: o.cards,
    linking: o.linking,
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (request) => app(request), port: o.port ?? 0, hostname: o.host ?? '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${o.publicHost ?? '127.0.0.1'}:${port}`;
  return {
    origin,
    clientSecret,
    events: memory.events,
    secrets,
    tokenSigner,
    close: () => new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
