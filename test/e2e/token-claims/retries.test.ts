/**
 * The pre token generation trigger's entry point on a throttled DynamoDB (the local AWS
 * stand-in): a throttled read is retried within the call's 1.5 s, and no read runs into the time
 * Cognito's 5 seconds leave for the answer (docs/aws-client-facts.md §2).
 */
import { jest } from '@jest/globals';
import { AwsJsonClient } from '../../../lambdas/shared/aws-json';
import { DynamoCardRecordStore } from '../../../lambdas/shared/card-records';
import { SUPPRESSED, type PreTokenEvent, type TokenClaimsConfig } from '../../../lambdas/token-claims/claims';
import { STAND_IN_CREDENTIALS, standInEnvironment, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';

const config: TokenClaimsConfig = {
  providerName: 'DigitalAuthApp',
  opIssuer: 'https://auth-and-sign.go.jp/api/realms/main',
  trustFramework: 'urn:myna-idp:trust-framework:jpki-user-authentication',
  claims: { acr: 'myna_acr', authTime: 'myna_auth_time', sessionTime: 'myna_session_time' },
};
/** A card sign-in: the federated user of the card, as Cognito names it. */
const event = (): PreTokenEvent => ({ userName: 'DigitalAuthApp_pairwise-t', callerContext: { clientId: 'client-a' }, request: { userAttributes: { 'cognito:user_status': 'EXTERNAL_PROVIDER' } }, response: {} });

let aws: AwsStandIn;
let handler: (event: PreTokenEvent, context?: { getRemainingTimeInMillis(): number }) => Promise<PreTokenEvent>;

beforeAll(async () => {
  aws = await startAwsStandIn();
  const ddb = new AwsJsonClient({ service: 'dynamodb', region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, jsonVersion: '1.0' });
  await new DynamoCardRecordStore(ddb, 'Cards').putAuthentication({ sub: 'pairwise-t', attributes: { name: '山田 太郎' }, acr: 'aal3', authTime: 1_800_000_000, opIssuer: config.opIssuer, sessionTime: 1_800_000_010 });
  Object.assign(process.env, standInEnvironment(aws.endpoint), { CARD_RECORDS_TABLE: 'Cards', TOKEN_CLAIMS_CONFIG: JSON.stringify(config), TENANT_ID: 'acme' });
  ({ handler } = (await import('../../../lambdas/token-claims/handler')) as unknown as { handler: typeof handler });
});
afterAll(() => aws.close());

const reads = () => aws.calls.filter((c) => c === 'dynamodb DynamoDB_20120810.GetItem').length;
const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });

test('a card sign-in whose card record read is throttled once still gets its step-up claims', async () => {
  aws.failNext('DynamoDB_20120810.GetItem', { status: 400, type: 'ProvisionedThroughputExceededException' });
  const before = reads();
  const e = await handler(event(), context(5000));
  const overrides = e.response.claimsAndScopeOverrideDetails as { accessTokenGeneration: { claimsToAddOrOverride: Record<string, unknown> } };
  expect(overrides.accessTokenGeneration.claimsToAddOrOverride).toEqual({ myna_acr: 'aal3', myna_auth_time: 1_800_000_000, myna_session_time: 1_800_000_010 });
  // The card record (throttled, then read) and the client policy.
  expect(reads() - before).toBe(3);
});

test('an invocation with no time left for a read answers at once: tokens without the card’s claims, no read begun', async () => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const before = reads();
    const e = await handler(event(), context(400));
    expect(e.response).toEqual({ claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToSuppress: SUPPRESSED }, accessTokenGeneration: { claimsToSuppress: SUPPRESSED } } });
    expect(reads()).toBe(before);
    expect(String(out.mock.calls[0]?.[0])).toContain('the card record could not be read');
  } finally {
    out.mockRestore();
  }
});
