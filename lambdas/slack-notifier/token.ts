/**
 * The bot token from Secrets Manager: the secret's string, or one JSON field of it. Kept for a
 * few minutes in a warm function, and dropped when Slack refused it, so that a rotated token is
 * read again.
 */
import { ConfigurationError } from '../shared/configuration-error';

const KEEP_MS = 5 * 60_000;

export class TokenSource {
  private cached?: { token: string; until: number };

  constructor(
    /** The secret's string (Secrets Manager GetSecretValue). */
    private readonly read: (secretId: string) => Promise<string | undefined>,
    private readonly secretId: string,
    private readonly field?: string,
    private readonly now = Date.now,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.until > this.now()) return this.cached.token;
    const token = this.pick(await this.read(this.secretId));
    this.cached = { token, until: this.now() + KEEP_MS };
    return token;
  }

  forget(): void {
    this.cached = undefined;
  }

  private pick(secret: string | undefined): string {
    // Fixed messages: never a part of the secret.
    if (!secret) throw new ConfigurationError('the Slack token secret has no string value');
    let value: unknown = secret;
    if (this.field) {
      try {
        value = (JSON.parse(secret) as Record<string, unknown>)[this.field];
      } catch {
        throw new ConfigurationError('the Slack token secret is not JSON, but a tokenField is set');
      }
    }
    const token = typeof value === 'string' ? value.trim() : '';
    if (!/^[\x21-\x7e]{1,512}$/.test(token)) throw new ConfigurationError('the Slack token (secret or its tokenField) is empty or not a token');
    return token;
  }
}
