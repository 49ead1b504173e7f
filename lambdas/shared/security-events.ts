/**
 * Security events: what an operator must see when a sign-in succeeds, fails or is tampered
 * with. One model for every component (the proxy, the triggers, the ingest of Cognito's and
 * SES's own signals), versioned as `myna-idp.security-event/1`; its zod schema is in
 * `security-event-schema.ts` (tests, the ingest and the sandbox validate against it).
 *
 * An event names what happened and why, with identifiers of the tenant, the app client and the
 * sign-in; it never carries personal data (no name, address, birthdate, gender, OP `sub`,
 * email or phone), nor tokens or codes. Every text field is held to a pattern here, at the
 * source: a value that does not fit (an OP error string, a client_id from a query) is replaced,
 * never passed on.
 */
import { randomUUID } from 'node:crypto';
import { errorFields, type Log } from './log';

export const SECURITY_EVENT_SCHEMA = 'myna-idp.security-event/1';
/** EventBridge's detail-type of every event on a tenant's bus. */
export const SECURITY_EVENT_DETAIL_TYPE = 'myna-idp security event';
/** The CloudWatch namespace of the metrics the events become (embedded metric format). */
export const METRICS_NAMESPACE = 'MynaIdp';

export const SECURITY_EVENT_TYPES = [
  // The federation proxy (lambdas/federation-proxy).
  'authorize.rejected',
  'callback.rejected',
  'callback.op_error',
  'token.client_authentication_failed',
  'token.code_rejected',
  'token.op_error',
  'token.id_token_rejected',
  'token.userinfo_rejected',
  'token.link_refused',
  'token.record_failed',
  'link.intent_refused',
  'link.succeeded',
  'userinfo.token_rejected',
  'federation.succeeded',
  'proxy.request_refused',
  'proxy.internal_error',
  // The pre token generation trigger (lambdas/token-claims).
  'token.step_up_issued',
  'token.verified_claims_issued',
  'token.record_unavailable',
  // Cognito's and SES's own signals, normalised (lambdas/event-ingest).
  'cognito.api_call',
  'cognito.configuration_changed',
  'mail.bounced',
  'mail.complaint',
  'mail.rejected',
  'mail.delivery_delayed',
  'mail.rendering_failed',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A severity as people read it, in Japanese and English (Slack messages, the operators' topic). */
export const SEVERITY_LABELS: Record<Severity, string> = { info: '情報 / info', warning: '警告 / warning', critical: '重大 / critical' };

export const COMPONENTS = ['federation-proxy', 'token-claims', 'event-ingest'] as const;
export type Component = (typeof COMPONENTS)[number];

/** The patterns of the text fields: identifiers and codes only, never free text. */
export const FIELD_PATTERNS = {
  tenant: /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/,
  reason: /^[A-Za-z0-9_.:-]{1,64}$/,
  clientId: /^[A-Za-z0-9_.:-]{1,128}$/,
  opError: /^[a-z0-9_]{1,64}$/,
  correlationId: /^[A-Za-z0-9_-]{8,64}$/,
} as const;

/** What a component reports. */
export interface SecurityEvent {
  readonly type: SecurityEventType;
  /** A short machine-readable reason, e.g. `nonce_mismatch`, `op_timeout`. */
  readonly reason: string;
  readonly tenantId: string;
  /** The client involved: Cognito's app client id, or the OP client id at the proxy. */
  readonly clientId?: string;
  /** OAuth error code returned by the OP, when there was one. */
  readonly opError?: string;
  readonly severity: Severity;
  /** How many occurrences this event stands for, when the same one is reported at most once a minute. */
  readonly count?: number;
  /** The sign-in this event belongs to: one random id from /authorize to the tokens. */
  readonly correlationId?: string;
}

/** An event as it travels (the EventBridge detail, the audit log): version 1 of the schema. */
export interface SecurityEventDetail {
  readonly schema: typeof SECURITY_EVENT_SCHEMA;
  readonly id: string;
  readonly time: string;
  readonly tenant: string;
  readonly component: Component;
  readonly type: SecurityEventType;
  readonly severity: Severity;
  readonly reason: string;
  readonly clientId?: string;
  readonly opError?: string;
  readonly count?: number;
  readonly correlationId?: string;
}

/** The event as it travels, each field held to its pattern: a reason that does not fit becomes `unrecognised`, other fields are left out. */
export function detailOf(e: SecurityEvent, component: Component, now = new Date()): SecurityEventDetail {
  const fits = (k: keyof typeof FIELD_PATTERNS, v: string | undefined) => (v !== undefined && FIELD_PATTERNS[k].test(v) ? v : undefined);
  const opError = e.opError === undefined ? undefined : (fits('opError', e.opError) ?? 'unrecognised');
  const clientId = fits('clientId', e.clientId);
  const correlationId = fits('correlationId', e.correlationId);
  return {
    schema: SECURITY_EVENT_SCHEMA,
    id: randomUUID(),
    time: now.toISOString(),
    tenant: fits('tenant', e.tenantId) ?? 'unknown',
    component,
    type: e.type,
    severity: e.severity,
    reason: fits('reason', e.reason) ?? 'unrecognised',
    ...(clientId ? { clientId } : {}),
    ...(opError ? { opError } : {}),
    ...(e.count !== undefined && Number.isInteger(e.count) && e.count > 0 ? { count: e.count } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
}

/**
 * The embedded-metric-format part of an event's log line: Lambda turns it into the metric
 * `SecurityEvents` (MynaIdp), by tenant and type, and by tenant, type and reason, which the
 * dashboard and the alarms read.
 */
export function securityEventMetric(d: SecurityEventDetail): Record<string, unknown> {
  return emf('SecurityEvents', d.count ?? 1, { Tenant: d.tenant, Type: d.type, Reason: d.reason }, [['Tenant', 'Type'], ['Tenant', 'Type', 'Reason']]);
}

/** One count in embedded metric format: the `_aws` directive and the members it names. */
function emf(name: string, value: number, dimensions: Record<string, string>, sets: string[][]): Record<string, unknown> {
  return { _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: sets, Metrics: [{ Name: name, Unit: 'Count' }] }] }, ...dimensions, [name]: value };
}

export interface SecurityEventSink {
  emit(event: SecurityEvent): Promise<void>;
}

/** Somewhere the events travel on to (EventBridge in AWS; a local bus in the sandbox). */
export interface SecurityEventPublisher {
  publish(detail: SecurityEventDetail): Promise<void>;
}

export interface PublishingSinkOptions {
  readonly component: Component;
  readonly log: Log;
  /** Where events go besides the log; none: the log only. */
  readonly publisher?: SecurityEventPublisher;
}

/**
 * Every event as one structured log line with its metric (CloudWatch Logs in Lambda), and on
 * to the publisher. A publisher's failure is logged and counted (`EventPublishFailures`), never
 * thrown: a sign-in does not fail or wait longer than the publisher's bound because of it.
 */
export class PublishingSecurityEventSink implements SecurityEventSink {
  constructor(private readonly o: PublishingSinkOptions) {}

  async emit(event: SecurityEvent): Promise<void> {
    const detail = detailOf(event, this.o.component);
    const fields = { securityEvent: detail, ...securityEventMetric(detail) };
    const { log } = this.o;
    if (detail.severity === 'critical') log.error(`security event ${detail.type}`, fields);
    else if (detail.severity === 'warning') log.warn(`security event ${detail.type}`, fields);
    else log.info(`security event ${detail.type}`, fields);
    if (!this.o.publisher) return;
    try {
      await this.o.publisher.publish(detail);
    } catch (e) {
      log.warn('a security event could not be published (it is in this log)', {
        eventId: detail.id,
        error: errorFields(e),
        ...emf('EventPublishFailures', 1, { Tenant: detail.tenant, Component: detail.component }, [['Tenant', 'Component']]),
      });
    }
  }
}

/** Keeps events in memory (tests). */
export class MemorySecurityEventSink implements SecurityEventSink {
  readonly events: SecurityEvent[] = [];
  async emit(event: SecurityEvent): Promise<void> {
    this.events.push(event);
  }
}
