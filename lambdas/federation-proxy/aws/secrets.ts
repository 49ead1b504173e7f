/**
 * Secret values behind a small interface: AWS Secrets Manager in Lambda (over its JSON API),
 * memory elsewhere. Values are cached for a few minutes so that a rotation is picked up
 * without a call per request.
 *
 * After a rotation the previous version is still accepted, but only for a bounded time after
 * the current version was created: an emergency rotation after a leak stops the leaked value
 * within that window, or, once the AWSPREVIOUS label is removed, as soon as the cache below
 * expires (5 minutes) or a new instance starts (README: key rotation).
 */
import { AwsCallError, type AwsJsonClient } from '../../shared/aws-json';
import { ConfigurationError } from '../../shared/configuration-error';

export type SecretStage = 'AWSCURRENT' | 'AWSPREVIOUS';

export interface SecretVersion {
  readonly value: string;
  /** When this version was created (epoch milliseconds). */
  readonly createdAt: number;
}

export interface SecretStore {
  /** The version at `stage`, or undefined when that stage does not exist. */
  get(secretId: string, stage: SecretStage): Promise<SecretVersion | undefined>;
}

export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: AwsJsonClient) {}

  async get(secretId: string, stage: SecretStage): Promise<SecretVersion | undefined> {
    try {
      const out = await this.client.call<{ SecretString?: string; CreatedDate?: number }>('secretsmanager.GetSecretValue', { SecretId: secretId, VersionStage: stage });
      if (typeof out.SecretString !== 'string') throw new ConfigurationError(`the secret ${secretId} (${stage}) holds no string`);
      return { value: out.SecretString, createdAt: (out.CreatedDate ?? 0) * 1000 };
    } catch (e) {
      if (stage === 'AWSPREVIOUS' && e instanceof AwsCallError && e.type === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  }
}

/** Secrets held in memory (tests and the local proxy). */
export class MemorySecretStore implements SecretStore {
  private readonly values: Record<string, Partial<Record<SecretStage, SecretVersion>>> = {};
  constructor(initial: Record<string, string> = {}) {
    for (const [id, value] of Object.entries(initial)) this.values[id] = { AWSCURRENT: { value, createdAt: Date.now() } };
  }
  async get(secretId: string, stage: SecretStage): Promise<SecretVersion | undefined> {
    return this.values[secretId]?.[stage];
  }
  /** Rotates (at `createdAt`, default now): the current value becomes the previous one. */
  rotate(secretId: string, next: string, createdAt = Date.now()): void {
    const v = (this.values[secretId] ??= {});
    v.AWSPREVIOUS = v.AWSCURRENT;
    v.AWSCURRENT = { value: next, createdAt };
  }
  /** Removes the AWSPREVIOUS label at once (the emergency revocation). */
  revokePrevious(secretId: string): void {
    delete this.values[secretId]?.AWSPREVIOUS;
  }
}

/** Caches another store's answers for `ttlMs`. */
export class CachedSecretStore implements SecretStore {
  private readonly cache = new Map<string, { at: number; value: Promise<SecretVersion | undefined> }>();
  constructor(
    private readonly inner: SecretStore,
    private readonly ttlMs = 5 * 60_000,
    private readonly now = () => Date.now(),
  ) {}

  get(secretId: string, stage: SecretStage): Promise<SecretVersion | undefined> {
    const key = `${stage}:${secretId}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.inner.get(secretId, stage);
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}

/**
 * The accepted versions of a secret, current first: the previous one only while the current is
 * younger than `previousWindowMs`.
 */
export async function acceptedVersions(store: SecretStore, secretId: string, previousWindowMs: number, now = Date.now()): Promise<string[]> {
  const [current, previous] = await Promise.all([store.get(secretId, 'AWSCURRENT'), store.get(secretId, 'AWSPREVIOUS')]);
  if (!current?.value) throw new ConfigurationError(`the secret ${secretId} has no current value`);
  const accepted = [current.value];
  if (previous?.value && now - current.createdAt < previousWindowMs) accepted.push(previous.value);
  return accepted;
}

/**
 * Cognito's client secrets at the proxy: each version must be a JSON object with a non-empty
 * `client_secret` string (the form the stack generates). A value in any other form is reported
 * with a fixed message; its content never reaches an error or a log.
 */
export async function clientSecretsOf(store: SecretStore, secretId: string, previousWindowMs: number): Promise<string[]> {
  return (await acceptedVersions(store, secretId, previousWindowMs)).map((raw) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const secret = (parsed as { client_secret?: unknown } | undefined)?.client_secret;
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new ConfigurationError(`the secret ${secretId} is not a JSON object with a client_secret string (put-secret-value --secret-string '{"client_secret":"..."}')`);
    }
    return secret;
  });
}
