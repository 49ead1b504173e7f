/**
 * The project's SigV4 signer (lambdas/shared/sigv4.ts) against two independent
 * implementations: it signs exactly as aws4fetch does, and the stand-ins' check of it accepts
 * what the AWS SDK signs (test/cognito-stand-in: the SDK client against the stand-in).
 */
import { AwsV4Signer } from 'aws4fetch';
import { signedHeaders } from '../../../lambdas/shared/sigv4';
import { sigV4Matches } from '../../../tools/stand-ins/aws/sigv4-check';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

test.each([
  ['kms', 'https://kms.ap-northeast-1.amazonaws.com/', 'TrentService.Sign', '{"KeyId":"k","Message":"bWVzc2FnZQ=="}'],
  ['dynamodb', 'http://127.0.0.1:4566/', 'DynamoDB_20120810.GetItem', '{"TableName":"t","Key":{"pk":{"S":"card#日本"}}}'],
  ['cognito-idp', 'https://cognito-idp.ap-northeast-1.amazonaws.com/', 'AWSCognitoIdentityProviderService.AdminGetUser', '{}'],
])('%s: the same Authorization header as aws4fetch, and one the stand-ins accept', async (service, endpoint, target, body) => {
  const now = new Date('2026-12-01T12:34:56.789Z');
  const url = new URL(endpoint);
  // aws4fetch leaves content-type unsigned (ours signs every header it is given, as the AWS SDKs
  // do): compare over the headers both sign.
  const ours = signedHeaders({ url, body, headers: { 'X-Amz-Target': target }, credentials, region: 'ap-northeast-1', service, now });
  const theirs = await new AwsV4Signer({ method: 'POST', url: endpoint, headers: { 'x-amz-target': target }, body, ...credentials, service, region: 'ap-northeast-1', datetime: '20261201T123456Z' }).sign();
  expect(ours.authorization).toBe(theirs.headers.get('authorization'));
  expect(await sigV4Matches({ method: 'POST', url: endpoint, headers: new Headers({ ...ours, host: url.host }), body, credentials, service, region: 'ap-northeast-1' })).toBe(true);
  expect(await sigV4Matches({ method: 'POST', url: endpoint, headers: new Headers({ ...ours, host: url.host }), body: `${body} `, credentials, service, region: 'ap-northeast-1' })).toBe(false);
});
