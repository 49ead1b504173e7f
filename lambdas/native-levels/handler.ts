/**
 * Custom resource (CDK Provider framework): Cognito's native authentication levels for the
 * tenant's pool and the card's identity provider (apply.ts). Deploy-time only. `Revision`
 * changes with every change of the pool or the identity provider in the template, so the
 * levels are set again after CloudFormation has updated either (its update would drop them).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AwsJsonClient, lambdaCredentials } from '../shared/aws-json';
import { jsonLog } from '../shared/log';
import { applyNativeLevels, removeNativeLevels, type Level } from './apply';

const log = jsonLog('native-levels', {}, 'INFO');

interface Properties {
  UserPoolId: string;
  ProviderName: string;
  /** JSON: Level → acr value. */
  LevelNames: string;
  /** JSON: Level → the identity provider's acr. */
  AcrMapping: string;
  Revision: string;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  const cognito = new AwsJsonClient({ service: 'cognito-idp', region: process.env.AWS_REGION ?? '', credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, timeoutMs: 10_000 });
  const id = `${p.UserPoolId}/native-levels`;
  if (event.RequestType === 'Delete') {
    // A Create that failed has no levels to remove (its rollback sends a Delete with another id).
    if (event.PhysicalResourceId !== id) return { PhysicalResourceId: event.PhysicalResourceId };
    const left = await removeNativeLevels(cognito, { userPoolId: p.UserPoolId, providerName: p.ProviderName });
    // Never a stuck deletion or rollback: what was left is in the log for operators.
    if (left) log.error('native authentication levels could not be removed', { detail: left });
  } else {
    await applyNativeLevels(cognito, {
      userPoolId: p.UserPoolId,
      providerName: p.ProviderName,
      levelNames: JSON.parse(p.LevelNames) as Partial<Record<Level, string>>,
      acrMapping: JSON.parse(p.AcrMapping) as Partial<Record<Level, string>>,
    });
  }
  return { PhysicalResourceId: id };
}
