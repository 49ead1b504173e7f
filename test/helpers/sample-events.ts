/**
 * One sample of every security event type, as the emitting code makes it (detailOf) with the
 * reasons the code gives, in the envelope EventBridge delivers to a rule's targets.
 */
import { detailOf, SECURITY_EVENT_DETAIL_TYPE, SECURITY_EVENT_TYPES, type Component, type SecurityEvent, type SecurityEventType } from '../../lambdas/shared/security-events';

const REASONS: Record<SecurityEventType, [string, SecurityEvent['severity'], Component, Partial<SecurityEvent>?]> = {
  'authorize.rejected': ['redirect_uri_mismatch', 'warning', 'federation-proxy', { clientId: '1example23456789' }],
  'callback.rejected': ['state_mismatch', 'warning', 'federation-proxy'],
  'callback.op_error': ['access_denied', 'info', 'federation-proxy', { opError: 'access_denied', clientId: 'RP00000001' }],
  'token.client_authentication_failed': ['wrong_secret', 'warning', 'federation-proxy'],
  'token.code_rejected': ['code_expired', 'warning', 'federation-proxy'],
  'token.op_error': ['op_timeout', 'warning', 'federation-proxy', { opError: 'temporarily_unavailable' }],
  'token.id_token_rejected': ['signature_invalid', 'critical', 'federation-proxy'],
  'token.userinfo_rejected': ['sub_mismatch', 'critical', 'federation-proxy'],
  'token.link_refused': ['linked_to_another_user', 'warning', 'federation-proxy'],
  'token.record_failed': ['record_unavailable', 'warning', 'federation-proxy'],
  'link.intent_refused': ['token_invalid', 'warning', 'federation-proxy'],
  'link.succeeded': ['linked', 'info', 'federation-proxy'],
  'userinfo.token_rejected': ['token_expired', 'warning', 'federation-proxy'],
  'federation.succeeded': ['ok', 'info', 'federation-proxy', { clientId: 'RP00000001' }],
  'proxy.request_refused': ['not_through_edge', 'warning', 'federation-proxy', { count: 17 }],
  'proxy.internal_error': ['TypeError', 'critical', 'federation-proxy'],
  'token.step_up_issued': ['card_authentication', 'info', 'token-claims', { clientId: '1example23456789' }],
  'token.verified_claims_issued': ['client_policy', 'info', 'token-claims', { clientId: '1example23456789' }],
  'token.record_unavailable': ['AwsCallError', 'critical', 'token-claims'],
  'cognito.api_call': ['AdminLinkProviderForUser', 'warning', 'event-ingest'],
  'cognito.configuration_changed': ['UpdateUserPoolClient', 'warning', 'event-ingest', { clientId: '1example23456789' }],
  'mail.bounced': ['permanent.general', 'warning', 'event-ingest'],
  'mail.complaint': ['abuse', 'warning', 'event-ingest'],
  'mail.rejected': ['bad_content', 'warning', 'event-ingest'],
  'mail.delivery_delayed': ['mailbox_full', 'info', 'event-ingest'],
  'mail.rendering_failed': ['template_error', 'critical', 'event-ingest'],
};

/** The EventBridge envelope of each sample, by type. */
export function sampleEvents(tenantId = 'example'): Array<Record<string, any>> {
  return SECURITY_EVENT_TYPES.map((type) => {
    const [reason, severity, component, extra] = REASONS[type];
    const correlationId = component === 'event-ingest' ? undefined : 'c0rre1ation-Id_1234';
    const detail = detailOf({ type, reason, severity, tenantId, ...(correlationId ? { correlationId } : {}), ...extra }, component, new Date('2026-12-01T09:00:00.000Z'));
    return { version: '0', id: '7f1e2c3a-0000-4000-8000-000000000001', 'detail-type': SECURITY_EVENT_DETAIL_TYPE, source: `myna-idp.${component}`, account: '111122223333', time: '2026-12-01T09:00:00Z', region: 'ap-northeast-1', resources: [], detail };
  });
}
