/**
 * Lambda entry point: Cognito's pre token generation trigger (V2_0). Reads the card record of
 * the user from DynamoDB (over SigV4, no SDK client: every sign-in waits on this cold start) and
 * adds the step-up claims and, for the listed app clients, verified_claims. Nothing personal is
 * logged. Cognito gives a trigger 5 seconds (docs/aws-client-facts.md §2): each DynamoDB call,
 * its retries included, is bounded by 1.5 s, and every read ends in time for the answer and the
 * one event publish that follows it.
 */
import type { Context } from 'aws-lambda';
import { AwsJsonClient, lambdaCredentials } from '../shared/aws-json';
import { clientPolicyOf, DynamoCardRecordStore, type ClientPolicy } from '../shared/card-records';
import { publishTimeoutMs, securityEventSinkFromEnvironment } from '../shared/event-bus';
import { errorFields, jsonLog } from '../shared/log';
import { cardSubjectOf, overridesFor, SUPPRESSED, tokenEventsFor, type PreTokenEvent, type TokenClaimsConfig } from './claims';

const config = JSON.parse(process.env.TOKEN_CLAIMS_CONFIG ?? '{}') as TokenClaimsConfig;
const log = jsonLog('token-claims', {}, 'INFO');
const tenantId = process.env.TENANT_ID ?? 'unknown';
const events = securityEventSinkFromEnvironment('token-claims', log);
const ddbOptions = { service: 'dynamodb', region: process.env.AWS_REGION ?? '', credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, timeoutMs: 1500, jsonVersion: '1.0' } as const;
const table = process.env.CARD_RECORDS_TABLE ?? '';
// What the invocation keeps after its reads: one event publish and the answer.
const answerMs = publishTimeoutMs() + 250;

// Which claims each client receives changes only with a deploy: read it once per 5 minutes.
let policy: { value: ClientPolicy; until: number } | undefined;
const clientPolicy = async (ddb: AwsJsonClient) => {
  if (!policy || policy.until < Date.now()) policy = { value: await clientPolicyOf(ddb, table), until: Date.now() + 300_000 };
  return policy.value;
};

export const handler = async (event: PreTokenEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PreTokenEvent> => {
  const ddb = new AwsJsonClient({ ...ddbOptions, deadline: Date.now() + (context?.getRemainingTimeInMillis() ?? 5000) - answerMs });
  const store = new DynamoCardRecordStore(ddb, table);
  try {
    const sub = await cardSubjectOf(event, config, () => store.getLinkedSub(event.userName));
    const [card, p] = sub ? await Promise.all([store.getCard(sub), clientPolicy(ddb)]) : [undefined, {}];
    const overrides = overridesFor(event, config, card, p);
    event.response = { claimsAndScopeOverrideDetails: overrides };
    const clientId = event.callerContext.clientId;
    // Published together, each bounded (EVENT_PUBLISH_TIMEOUT_MS): never a failed sign-in.
    await Promise.all(
      tokenEventsFor(event, config, card, overrides, Math.floor(Date.now() / 1000)).map((e) =>
        events.emit({ ...e, severity: 'info', tenantId, clientId }),
      ),
    );
  } catch (e) {
    // Without the record the tokens carry no proof (never a stale or guessed one); sign-in goes on.
    log.error('the card record could not be read: tokens carry no step-up or verified claims', { error: errorFields(e) });
    await events.emit({ type: 'token.record_unavailable', reason: e instanceof Error ? e.name.slice(0, 64) : 'unknown', severity: 'critical', tenantId, clientId: event.callerContext?.clientId });
    event.response = { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToSuppress: SUPPRESSED }, accessTokenGeneration: { claimsToSuppress: SUPPRESSED } } };
  }
  return event;
};
