/**
 * Secret values behind a small interface: AWS Secrets Manager in Lambda, a local file or
 * memory elsewhere. Values are cached for a few minutes so that a rotation is picked up
 * without a call per request.
 */
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export type SecretStage = 'AWSCURRENT' | 'AWSPREVIOUS';

export interface SecretStore {
  /** The secret string at `stage`, or undefined when that stage does not exist. */
  get(secretId: string, stage: SecretStage): Promise<string | undefined>;
}

export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async get(secretId: string, stage: SecretStage): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
      return out.SecretString;
    } catch (e) {
      if (stage === 'AWSPREVIOUS' && e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }
}

/** Secrets held in memory (tests and the local proxy). */
export class MemorySecretStore implements SecretStore {
  constructor(private readonly values: Record<string, Partial<Record<SecretStage, string>>>) {}
  async get(secretId: string, stage: SecretStage): Promise<string | undefined> {
    return this.values[secretId]?.[stage];
  }
  /** Rotates: the current value becomes the previous one. */
  rotate(secretId: string, next: string): void {
    const v = (this.values[secretId] ??= {});
    v.AWSPREVIOUS = v.AWSCURRENT;
    v.AWSCURRENT = next;
  }
}

/** Caches another store's answers for `ttlMs`. */
export class CachedSecretStore implements SecretStore {
  private readonly cache = new Map<string, { at: number; value: Promise<string | undefined> }>();
  constructor(
    private readonly inner: SecretStore,
    private readonly ttlMs = 5 * 60_000,
    private readonly now = () => Date.now(),
  ) {}

  get(secretId: string, stage: SecretStage): Promise<string | undefined> {
    const key = `${stage}:${secretId}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.inner.get(secretId, stage);
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}
