/**
 * Lambda entry point: the target of a tenant's Slack rule. EventBridge invokes it
 * asynchronously with the security event; it posts the message (message.ts) to Slack's
 * chat.postMessage with the bot token from Secrets Manager (token.ts) and throws on every
 * answer but `ok: true` (post.ts). Lambda then retries the invocation and sends what still
 * fails to the target's dead-letter queue, which is alarmed (lib/operations/event-routing.ts;
 * docs/operations-facts.md §4). Not on a sign-in's path: the token is read with the runtime's
 * AWS SDK (docs/aws-client-facts.md §5), which retries by itself.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { ConfigurationError } from '../shared/configuration-error';
import { errorFields, jsonLog } from '../shared/log';
import { messageFields, slackMessage } from './message';
import { postMessage, SlackDeliveryError, slackApiUrl } from './post';
import { TokenSource } from './token';

const env = process.env;
const log = jsonLog('slack-notifier', { tenant: env.TENANT_ID ?? '' });
// Region, credentials and endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER in tests) from the environment.
const secretsManager = new SecretsManagerClient({});
const tokens = new TokenSource(
  async (secretId) => (await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
  env.SLACK_TOKEN_STORE_ID ?? '',
  env.SLACK_TOKEN_FIELD || undefined,
);

export async function handler(event: { id?: string; detail?: unknown }, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ posted: true }> {
  try {
    const channel = env.SLACK_CHANNEL;
    if (!channel || !env.SLACK_TOKEN_STORE_ID) throw new ConfigurationError('SLACK_CHANNEL and SLACK_TOKEN_STORE_ID must be set');
    const body = slackMessage(channel, messageFields(event?.detail));
    const url = slackApiUrl(env.SLACK_API_URL);
    await postMessage({ url, token: await tokens.token(), body, remainingMs: () => context.getRemainingTimeInMillis() });
    return { posted: true };
  } catch (e) {
    // A refused token may have been rotated since it was read.
    if (e instanceof SlackDeliveryError) tokens.forget();
    log.error('slack_post_failed', { eventId: typeof event?.id === 'string' ? event.id.slice(0, 64) : undefined, ...(e instanceof SlackDeliveryError ? { slackError: e.code, status: e.status } : {}), ...errorFields(e) });
    throw e;
  }
}
