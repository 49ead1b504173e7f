/**
 * Security events: what an operator must see when a sign-in fails or is tampered with.
 * An event names what happened and why, with identifiers of the tenant and client; it never
 * carries personal data (no name, address, birthdate, gender, no `sub`), nor tokens or codes.
 * Routing to EventBridge comes with its own implementation of this interface.
 */
import type { Log } from './log';

export type SecurityEventType =
  | 'authorize.rejected'
  | 'callback.rejected'
  | 'callback.op_error'
  | 'token.client_authentication_failed'
  | 'token.code_rejected'
  | 'token.op_error'
  | 'token.id_token_rejected'
  | 'token.userinfo_rejected'
  | 'token.link_refused'
  | 'token.record_failed'
  | 'link.intent_refused'
  | 'link.succeeded'
  | 'userinfo.token_rejected'
  | 'federation.succeeded'
  | 'proxy.request_refused'
  | 'proxy.internal_error';

export interface SecurityEvent {
  readonly type: SecurityEventType;
  /** A short machine-readable reason, e.g. `nonce_mismatch`, `op_timeout`. */
  readonly reason: string;
  readonly tenantId: string;
  /** The client involved: Cognito's client id at the proxy, or the OP client id. */
  readonly clientId?: string;
  /** OAuth error code returned by the OP, when there was one. */
  readonly opError?: string;
  readonly severity: 'info' | 'warning' | 'critical';
  /** How many occurrences this event stands for, when the same one is reported at most once a minute. */
  readonly count?: number;
}

export interface SecurityEventSink {
  emit(event: SecurityEvent): Promise<void>;
}

/** Writes each event as one structured log line (CloudWatch Logs in Lambda). */
export class LoggingSecurityEventSink implements SecurityEventSink {
  constructor(private readonly logger: Log) {}
  async emit(event: SecurityEvent): Promise<void> {
    const fields = { securityEvent: event };
    if (event.severity === 'critical') this.logger.error(`security event ${event.type}`, fields);
    else if (event.severity === 'warning') this.logger.warn(`security event ${event.type}`, fields);
    else this.logger.info(`security event ${event.type}`, fields);
  }
}

/** Keeps events in memory (tests, the local sandbox's event view). */
export class MemorySecurityEventSink implements SecurityEventSink {
  readonly events: SecurityEvent[] = [];
  async emit(event: SecurityEvent): Promise<void> {
    this.events.push(event);
  }
}
