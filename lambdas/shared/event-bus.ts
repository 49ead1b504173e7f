/**
 * Publishing security events to the tenant's EventBridge bus (PutEvents over its JSON API,
 * signed with SigV4, like the proxy's other AWS calls: no SDK client on the sign-in path).
 * Each publish is bounded by `timeoutMs`; the sink counts and logs a failure (security-events).
 */
import { AwsJsonClient, lambdaCredentials } from './aws-json';
import type { Log } from './log';
import { PublishingSecurityEventSink, SECURITY_EVENT_DETAIL_TYPE, type Component, type SecurityEventDetail, type SecurityEventPublisher } from './security-events';

export class EventPublishError extends Error {
  constructor(readonly code: string) {
    super(`the event bus did not take the event: ${code}`);
    this.name = 'EventPublishError';
  }
}

/** The EventBridge entry of an event: source `myna-idp.<component>`, the fixed detail type, the detail as JSON. */
export const eventBridgeEntry = (detail: SecurityEventDetail, busName: string) => ({
  Source: `myna-idp.${detail.component}`,
  DetailType: SECURITY_EVENT_DETAIL_TYPE,
  Detail: JSON.stringify(detail),
  EventBusName: busName,
  Time: Math.floor(Date.parse(detail.time) / 1000),
});

export class EventBridgePublisher implements SecurityEventPublisher {
  /** `events` is an AwsJsonClient for service `events` whose timeout is the publishing bound. */
  constructor(
    private readonly events: AwsJsonClient,
    private readonly busName: string,
  ) {}

  async publish(detail: SecurityEventDetail): Promise<void> {
    const r = await this.events.call<{ FailedEntryCount?: number; Entries?: Array<{ ErrorCode?: string }> }>('AWSEvents.PutEvents', { Entries: [eventBridgeEntry(detail, this.busName)] });
    // PutEvents answers 200 with the entries it could not take counted (a partial failure).
    if (r.FailedEntryCount) throw new EventPublishError(String(r.Entries?.[0]?.ErrorCode ?? 'failed').slice(0, 64));
  }
}

/** How long one publish may take (`EVENT_PUBLISH_TIMEOUT_MS`, set by the stack; default 250 ms). */
export function publishTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.EVENT_PUBLISH_TIMEOUT_MS ?? 250);
  return Number.isFinite(ms) && ms > 0 ? ms : 250;
}

/**
 * The sink of a Lambda function: its log always, and the tenant's bus when `EVENT_BUS_NAME` is
 * set (`EVENT_PUBLISH_TIMEOUT_MS` bounds each publish; AWS_ENDPOINT_URL_EVENTBRIDGE, as the
 * AWS SDKs read it, points at a local bus in tests and the sandbox).
 */
export function securityEventSinkFromEnvironment(component: Component, log: Log, env: NodeJS.ProcessEnv = process.env): PublishingSecurityEventSink {
  const bus = env.EVENT_BUS_NAME;
  const publisher = bus
    ? new EventBridgePublisher(new AwsJsonClient({ service: 'events', region: env.AWS_REGION ?? '', credentials: () => lambdaCredentials(env), endpoint: env.AWS_ENDPOINT_URL_EVENTBRIDGE, timeoutMs: publishTimeoutMs(env) }), bus)
    : undefined;
  return new PublishingSecurityEventSink({ component, log, ...(publisher ? { publisher } : {}) });
}
