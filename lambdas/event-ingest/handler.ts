/**
 * Lambda entry point: the rules on the account's default bus (CloudTrail records of this user
 * pool's API calls, SES events of the tenant's configuration set) invoke it; it puts what it
 * normalised (normalise.ts) on the tenant's bus. Not on any sign-in's path. A failure to publish
 * is thrown: Lambda retries the invocation twice, and the function's errors are alarmed.
 */
import { AwsJsonClient, lambdaCredentials } from '../shared/aws-json';
import { EventBridgePublisher } from '../shared/event-bus';
import { jsonLog } from '../shared/log';
import { securityEventDetailSchema } from './security-event-schema';
import { detailOf, securityEventMetric } from '../shared/security-events';
import { normalise, type BusEvent } from './normalise';

const tenantId = process.env.TENANT_ID ?? '';
const userPoolId = process.env.USER_POOL_ID ?? '';
const log = jsonLog('event-ingest', { tenant: tenantId }, 'INFO');
const publisher = new EventBridgePublisher(
  new AwsJsonClient({ service: 'events', region: process.env.AWS_REGION ?? '', credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_EVENTBRIDGE, timeoutMs: 5000 }),
  process.env.EVENT_BUS_NAME ?? '',
);

export const handler = async (event: BusEvent): Promise<{ published: boolean }> => {
  const e = normalise(event, userPoolId);
  if (!e) return { published: false };
  // Checked against the schema before it leaves: what fails is a defect here, never forwarded.
  const detail = securityEventDetailSchema.parse(detailOf({ ...e, tenantId }, 'event-ingest'));
  log.info(`security event ${detail.type}`, { securityEvent: detail, ...securityEventMetric(detail) });
  await publisher.publish(detail);
  return { published: true };
};
