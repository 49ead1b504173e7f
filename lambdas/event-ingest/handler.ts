/**
 * Lambda entry point: the rules on the account's default bus (CloudTrail records of this user
 * pool's API calls, SES events of the tenant's configuration set) invoke it; it puts what it
 * normalised (normalise.ts) on the tenant's bus. Not on any sign-in's path, so it uses the
 * runtime's AWS SDK client, which retries throttling and server errors itself
 * (docs/aws-client-facts.md §5). A failure to publish is thrown: Lambda retries the invocation
 * twice, and the function's errors are alarmed.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { EventPublishError, eventBridgeEntry } from '../shared/event-bus';
import { jsonLog } from '../shared/log';
import { securityEventDetailSchema } from './security-event-schema';
import { detailOf, securityEventMetric } from '../shared/security-events';
import { normalise, type BusEvent } from './normalise';

const tenantId = process.env.TENANT_ID ?? '';
const userPoolId = process.env.USER_POOL_ID ?? '';
const busName = process.env.EVENT_BUS_NAME ?? '';
const log = jsonLog('event-ingest', { tenant: tenantId }, 'INFO');
// Region, credentials and endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE in tests) from the environment;
// each attempt bounded (a breach is an error, not only a warning: throwOnRequestTimeout).
const events = new EventBridgeClient({ requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true } });

export const handler = async (event: BusEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ published: boolean }> => {
  const e = normalise(event, userPoolId);
  if (!e) return { published: false };
  // Checked against the schema before it leaves: what fails is a defect here, never forwarded.
  const detail = securityEventDetailSchema.parse(detailOf({ ...e, tenantId }, 'event-ingest'));
  log.info(`security event ${detail.type}`, { securityEvent: detail, ...securityEventMetric(detail) });
  // The SDK's attempts end a second before the function would be cut off: an error, not a timeout.
  const abortSignal = context ? AbortSignal.timeout(Math.max(context.getRemainingTimeInMillis() - 1000, 1000)) : undefined;
  const r = await events.send(new PutEventsCommand({ Entries: [{ ...eventBridgeEntry(detail, busName), Time: new Date(detail.time) }] }), { abortSignal });
  // PutEvents answers 200 with the entries it could not take counted (a partial failure).
  if (r.FailedEntryCount) throw new EventPublishError(String(r.Entries?.[0]?.ErrorCode ?? 'failed').slice(0, 64));
  return { published: true };
};
