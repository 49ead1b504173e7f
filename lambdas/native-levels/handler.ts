/**
 * Custom resource (CDK Provider framework): Cognito's native authentication levels for the
 * tenant's pool and the card's identity provider (apply.ts). Deploy-time only. `Revision`
 * changes with every change of the pool or the identity provider in the template, so the
 * levels are set again after CloudFormation has updated either (its update would drop them).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
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

export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  // Region, credentials and endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER in tests) from
  // the environment; each attempt bounded (a breach is an error: throwOnRequestTimeout). Every
  // call ends before the function would be cut off (a quarter of its time, at most 30 s, is
  // kept), so that a Delete still answers: never a stuck deletion.
  const remaining = context?.getRemainingTimeInMillis();
  const cognito = {
    client: new CognitoIdentityProviderClient({ requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } }),
    signal: remaining === undefined ? undefined : AbortSignal.timeout(remaining - Math.min(30_000, Math.floor(remaining / 4))),
  };
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
