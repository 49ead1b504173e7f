/**
 * The public JWKS of a tenant's client assertion key: what the Digital Agency registers for
 * private_key_jwt. From KMS (GetPublicKey) for a deployed tenant, or from the local key.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { JWK } from 'jose';
import { AwsJsonClient } from '../../lambdas/shared/aws-json';
import { KmsSigner } from '../../lambdas/federation-proxy/crypto/kms-signer';
import { TenantConfigError } from '../../lib/config/errors';
import type { LoadedTenant } from '../../lib/config/loader';
import { localTenantKeys } from '../stand-ins/aws/key-store';

export interface ClientJwksOptions {
  readonly tenant: LoadedTenant;
  readonly source: 'kms' | 'local';
  /** KMS key id, ARN or alias; default: the tenant's kmsKeyArn or the alias the stack creates. */
  readonly keyId?: string;
  /** KMS over its JSON API; default: the tenant's region with the AWS SDK's default credentials. */
  readonly kms?: AwsJsonClient;
  /** Folder of local keys (tests). */
  readonly localRoot?: string;
}

export const clientAssertionAliasOf = (tenantId: string) => `alias/myna-idp/${tenantId}/jpki-client-assertion`;

export async function clientJwks(o: ClientJwksOptions): Promise<{ keys: JWK[]; from: string }> {
  const { file, config } = o.tenant;
  const jpki = config.jpki;
  if (!jpki) throw new TenantConfigError([`${file}: jpki: this tenant has no My Number Card federation`]);
  const alg = jpki.clientAssertion.algorithm;
  if (o.source === 'local') {
    const keys = await localTenantKeys(config.id, alg, o.localRoot);
    return { keys: [await keys.clientAssertion.publicJwk()], from: `local key in .local/${config.id}/` };
  }
  const keyId = o.keyId ?? jpki.clientAssertion.kmsKeyArn ?? clientAssertionAliasOf(config.id);
  // The credentials as the AWS CLI and SDKs find them (profiles, SSO, environment).
  const sdk = new KMSClient({ region: config.region });
  const kms = o.kms ?? new AwsJsonClient({ service: 'kms', region: config.region, credentials: () => sdk.config.credentials() });
  const signer = new KmsSigner(kms, keyId, alg);
  return { keys: [await signer.publicJwk()], from: `KMS key ${keyId} (${config.region})` };
}
