/**
 * Cognito's and SES's own signals as security events of the tenant's schema. What reaches the
 * default bus from them carries personal data (CloudTrail's request parameters hold usernames,
 * which for a card user are `<provider>_<OP sub>`; SES events hold recipient addresses), so
 * nothing of theirs is forwarded as it is: only the API or event name, its error or bounce
 * type, and the app client id.
 */
import type { SecurityEvent, SecurityEventType, Severity } from '../shared/security-events';

/** An EventBridge event as a rule delivers it to a Lambda target. */
export interface BusEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: Record<string, unknown>;
}

/** User pool API calls that change how the pool authenticates or whom it trusts. */
export const CONFIGURATION_CALLS = new Set([
  'UpdateUserPool', 'DeleteUserPool', 'SetUserPoolMfaConfig', 'SetRiskConfiguration', 'SetUICustomization', 'SetLogDeliveryConfiguration',
  'CreateUserPoolClient', 'UpdateUserPoolClient', 'DeleteUserPoolClient',
  'CreateIdentityProvider', 'UpdateIdentityProvider', 'DeleteIdentityProvider',
  'CreateUserPoolDomain', 'UpdateUserPoolDomain', 'DeleteUserPoolDomain',
  'CreateResourceServer', 'UpdateResourceServer', 'DeleteResourceServer',
  'CreateManagedLoginBranding', 'UpdateManagedLoginBranding', 'DeleteManagedLoginBranding',
  'AddCustomAttributes', 'StartUserImportJob', 'CreateUserImportJob',
  // Groups carry IAM roles and precedence into tokens.
  'CreateGroup', 'UpdateGroup', 'DeleteGroup',
]);

/** Administrator actions on a person's account: each is worth an operator's look. */
export const SENSITIVE_USER_CALLS = new Set([
  'AdminCreateUser', 'AdminDeleteUser', 'AdminDisableUser', 'AdminEnableUser', 'AdminSetUserPassword', 'AdminResetUserPassword',
  'AdminUpdateUserAttributes', 'AdminDeleteUserAttributes', 'AdminLinkProviderForUser', 'AdminDisableProviderForUser',
  'AdminUserGlobalSignOut', 'AdminSetUserMFAPreference', 'AdminAddUserToGroup', 'AdminRemoveUserFromGroup', 'AdminConfirmSignUp',
  'AdminUpdateAuthEventFeedback', 'AdminForgetDevice',
]);

const CODE = /^[A-Za-z0-9_.:-]{1,64}$/;
const code = (v: unknown, fallback: string) => (typeof v === 'string' && CODE.test(v) ? v : fallback);
const snake = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v.trim().replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toLowerCase().slice(0, 40) || fallback : fallback);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export type Normalised = Omit<SecurityEvent, 'tenantId'>;

/** A CloudTrail record of a user pool API call; undefined when it is not of this pool. */
export function fromCloudTrail(detail: Record<string, unknown>, userPoolId: string): Normalised | undefined {
  const request = record(detail.requestParameters);
  if (request.userPoolId !== userPoolId) return undefined;
  const name = code(detail.eventName, 'unknown');
  const error = typeof detail.errorCode === 'string' ? code(detail.errorCode, 'error') : undefined;
  const configuration = CONFIGURATION_CALLS.has(name);
  const denied = error !== undefined && /AccessDenied|Unauthorized|NotAuthorized/i.test(error);
  const severity: Severity = configuration || SENSITIVE_USER_CALLS.has(name) || denied ? 'warning' : 'info';
  const clientId = typeof request.clientId === 'string' ? request.clientId : undefined;
  return {
    type: configuration ? 'cognito.configuration_changed' : 'cognito.api_call',
    reason: error ? `${name}:${error}`.slice(0, 64) : name,
    severity,
    ...(clientId ? { clientId } : {}),
  };
}

/** An SES event of the tenant's configuration set; undefined for the kinds that are not security events (send, delivery, open, click). */
export function fromSes(detail: Record<string, unknown>): Normalised | undefined {
  const kind = String(detail.eventType ?? '');
  const make = (type: SecurityEventType, reason: string, severity: Severity): Normalised => ({ type, reason, severity });
  switch (kind) {
    case 'Bounce': {
      const b = record(detail.bounce);
      const bounceType = snake(b.bounceType, 'undetermined');
      return make('mail.bounced', `${bounceType}.${snake(b.bounceSubType, 'general')}`.slice(0, 64), bounceType === 'permanent' ? 'warning' : 'info');
    }
    case 'Complaint':
      return make('mail.complaint', snake(record(detail.complaint).complaintFeedbackType, 'unspecified'), 'warning');
    case 'Reject':
      return make('mail.rejected', snake(record(detail.reject).reason, 'rejected'), 'warning');
    case 'DeliveryDelay':
      return make('mail.delivery_delayed', snake(record(detail.deliveryDelay).delayType, 'undetermined'), 'info');
    case 'Rendering Failure':
    case 'RenderingFailure':
      // The failure's message quotes the template and may quote its data: never passed on.
      return make('mail.rendering_failed', 'template_error', 'critical');
    default:
      return undefined;
  }
}

/** Which of the two an event is, normalised; undefined when it is neither or not of this tenant. */
export function normalise(event: BusEvent, userPoolId: string): Normalised | undefined {
  const detail = record(event.detail);
  if (event.source === 'aws.cognito-idp' && event['detail-type'] === 'AWS API Call via CloudTrail') return fromCloudTrail(detail, userPoolId);
  if (event.source === 'aws.ses') return fromSes(detail);
  return undefined;
}
