/**
 * The event model at its source: fields held to their patterns, the schema strict, and
 * publishing to EventBridge over real HTTP (the local stand-in): a refused entry, an error and
 * an endpoint that never answers are each logged and counted, never thrown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsJsonClient } from '../../../lambdas/shared/aws-json';
import { EventBridgePublisher, EventPublishError, securityEventSinkFromEnvironment } from '../../../lambdas/shared/event-bus';
import { jsonLog } from '../../../lambdas/shared/log';
import { securityEventDetailSchema } from '../../../lambdas/event-ingest/security-event-schema';
import { detailOf, PublishingSecurityEventSink, SECURITY_EVENT_SCHEMA } from '../../../lambdas/shared/security-events';
import { STAND_IN_CREDENTIALS, standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';

let aws: AwsStandIn;
beforeAll(async () => {
  aws = await startAwsStandIn();
});
afterAll(() => aws.close());

const lines: string[] = [];
const log = jsonLog('test', {}, 'INFO', (l) => void lines.push(l));
const base = { type: 'token.id_token_rejected', reason: 'signature_invalid', severity: 'critical', tenantId: 'acme' } as const;

describe('detailOf', () => {
  test('gives a detail of schema version 1 that the zod schema accepts', () => {
    const d = detailOf({ ...base, clientId: 'RP00000001', correlationId: 'abcDEF123_-xyz', count: 3 }, 'federation-proxy');
    expect(d).toMatchObject({ schema: SECURITY_EVENT_SCHEMA, tenant: 'acme', component: 'federation-proxy', type: 'token.id_token_rejected', severity: 'critical', reason: 'signature_invalid', clientId: 'RP00000001', count: 3 });
    expect(securityEventDetailSchema.parse(d)).toEqual(d);
  });

  test('replaces what does not fit its pattern: an OP error or reason of free text, a client_id with spaces, a short correlation id', () => {
    const d = detailOf({ ...base, reason: 'Taro Yamada <taro@example.jp>', opError: 'error "quoted" 山田', clientId: 'x y', correlationId: 'short', count: -1 }, 'federation-proxy');
    expect(d.reason).toBe('unrecognised');
    expect(d.opError).toBe('unrecognised');
    expect(d.clientId).toBeUndefined();
    expect(d.correlationId).toBeUndefined();
    expect(d.count).toBeUndefined();
    expect(securityEventDetailSchema.safeParse(d).success).toBe(true);
  });

  test('the schema is strict: a field more (an email, a sub) or a type it does not know is refused', () => {
    const d = detailOf(base, 'federation-proxy');
    expect(securityEventDetailSchema.safeParse({ ...d, email: 'taro@example.jp' }).success).toBe(false);
    expect(securityEventDetailSchema.safeParse({ ...d, sub: 'op-subject' }).success).toBe(false);
    expect(securityEventDetailSchema.safeParse({ ...d, type: 'made.up' }).success).toBe(false);
    expect(securityEventDetailSchema.safeParse({ ...d, schema: 'myna-idp.security-event/2' }).success).toBe(false);
  });
});

describe('publishing', () => {
  const client = (endpoint: string, timeoutMs = 250) => new AwsJsonClient({ service: 'events', region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint, timeoutMs });

  test('puts the event on the bus (PutEvents, signed) and writes one log line with its metric', async () => {
    lines.length = 0;
    const sink = new PublishingSecurityEventSink({ component: 'federation-proxy', log, publisher: new EventBridgePublisher(client(aws.endpoint), 'myna-idp-acme') });
    await sink.emit({ ...base, correlationId: 'abcDEF123_-xyz' });
    const published = aws.eventBus.events.at(-1)!;
    expect(published).toMatchObject({ type: 'token.id_token_rejected', correlationId: 'abcDEF123_-xyz', tenant: 'acme' });
    expect(aws.calls.at(-1)).toBe('events AWSEvents.PutEvents');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line.securityEvent.id).toBe(published.id);
    expect(line._aws.CloudWatchMetrics[0]).toEqual({ Namespace: 'MynaIdp', Dimensions: [['Tenant', 'Type'], ['Tenant', 'Type', 'Reason']], Metrics: [{ Name: 'SecurityEvents', Unit: 'Count' }] });
    expect(line).toMatchObject({ Tenant: 'acme', Type: 'token.id_token_rejected', Reason: 'signature_invalid', SecurityEvents: 1 });
  });

  test('an entry the bus refuses (FailedEntryCount) is an EventPublishError to the publisher, and counted by the sink', async () => {
    const publisher = new EventBridgePublisher(client(aws.endpoint), 'myna-idp-acme');
    const refused = { ...detailOf(base, 'federation-proxy'), tenant: 'Not A Tenant' };
    await expect(publisher.publish(refused)).rejects.toThrow(EventPublishError);
    lines.length = 0;
    const sink = new PublishingSecurityEventSink({ component: 'federation-proxy', log, publisher: { publish: () => publisher.publish(refused) } });
    await expect(sink.emit(base)).resolves.toBeUndefined();
    const failure = JSON.parse(lines[1]!);
    expect(failure).toMatchObject({ level: 'WARN', EventPublishFailures: 1, Component: 'federation-proxy', Tenant: 'acme', error: { name: 'EventPublishError' } });
  });

  test('an endpoint that never answers costs the bound, then the event is counted as not published', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      lines.length = 0;
      const env = { ...standInEnvironment(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`), EVENT_BUS_NAME: 'myna-idp-acme', EVENT_PUBLISH_TIMEOUT_MS: '100' };
      const sink = securityEventSinkFromEnvironment('token-claims', log, env);
      await expect(sink.emit(base)).resolves.toBeUndefined();
      expect(JSON.parse(lines[1]!)).toMatchObject({ EventPublishFailures: 1, Component: 'token-claims', error: { name: 'TimeoutError' } });
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  test('without EVENT_BUS_NAME the events go to the log only', async () => {
    lines.length = 0;
    const before = aws.eventBus.events.length;
    await securityEventSinkFromEnvironment('token-claims', log, {}).emit(base);
    expect(lines).toHaveLength(1);
    expect(aws.eventBus.events.length).toBe(before);
  });
});
