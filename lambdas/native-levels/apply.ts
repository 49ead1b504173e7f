/**
 * Cognito's native authentication levels for a tenant that turns them on
 * (`jpki.stepUp.nativeLevels`): the pool's level names (`AcrConfiguration`) and the mapping of
 * the card's identity provider's acr to a level (`AcrMapping`). CloudFormation has neither
 * property (docs/cognito-step-up-facts.md §6), so a custom resource sets them.
 *
 * UpdateUserPool sets every setting it is not given to its default ("construct this API request
 * to pass the existing configuration of your user pool, modified to include the changes that you
 * want to make", UpdateUserPool in the API reference), so the request is the pool's own
 * DescribeUserPool answer, field by field, with the levels added. Afterwards the pool is read
 * again: if Cognito did not keep the levels (a public test in October 2026 found it did not) or
 * changed anything else, the deploy fails with a message that says so, rather than a tenant
 * believing in levels its tokens never carry.
 *
 * The calls go through the runtime's AWS SDK client, which retries throttling and server errors
 * itself (docs/aws-client-facts.md §5): nobody waits on this function's cold start.
 */
import {
  CognitoIdentityProviderServiceException,
  DescribeIdentityProviderCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolCommand,
  type CognitoIdentityProviderClient,
  type UpdateIdentityProviderCommandInput,
  type UpdateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { defaultLevelName, LEVELS, type Level } from '../shared/acr-levels';

export type { Level };

export interface NativeLevelsSettings {
  readonly userPoolId: string;
  readonly providerName: string;
  /** Custom level names (Level → acr value); a level not named keeps Cognito's urn:cognito:loa:N. */
  readonly levelNames: Partial<Record<Level, string>>;
  /** The identity provider's acr for each level (the card's acr → the level it counts as). */
  readonly acrMapping: Partial<Record<Level, string>>;
}

export class NativeLevelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeLevelsError';
  }
}

/** An AWS error answer, by its type and HTTP status only: AWS messages may quote request values. */
export class CognitoCallError extends Error {
  constructor(
    readonly type: string,
    readonly status: number | undefined,
  ) {
    super(`AWS call failed: ${type} (HTTP ${status})`);
    this.name = 'CognitoCallError';
  }
}

type Json = Record<string, unknown>;

/** The user pool API: the SDK client, and what ends every call (the function's time running out). */
export interface CognitoApi {
  readonly client: CognitoIdentityProviderClient;
  readonly signal?: AbortSignal;
}

type Command = DescribeUserPoolCommand | DescribeIdentityProviderCommand | GetUserPoolMfaConfigCommand | UpdateUserPoolCommand | UpdateIdentityProviderCommand;

/** Sends `command`; an AWS error answer becomes a CognitoCallError. The answer as JSON, without the SDK's `$metadata`. */
async function send(cognito: CognitoApi, command: Command): Promise<Json> {
  try {
    const { $metadata: _metadata, ...out } = (await cognito.client.send(command as DescribeUserPoolCommand, { abortSignal: cognito.signal })) as unknown as Json;
    return out;
  } catch (e) {
    throw e instanceof CognitoIdentityProviderServiceException ? new CognitoCallError(e.name, e.$metadata.httpStatusCode) : e;
  }
}

/** The fields of UpdateUserPool that DescribeUserPool returns under the same name (API reference, SDK 3.1169). */
const UPDATABLE = [
  'Policies',
  'DeletionProtection',
  'LambdaConfig',
  'AutoVerifiedAttributes',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'SmsAuthenticationMessage',
  'UserAttributeUpdateSettings',
  'MfaConfiguration',
  'DeviceConfiguration',
  'EmailConfiguration',
  'SmsConfiguration',
  'UserPoolTags',
  'AdminCreateUserConfig',
  'UserPoolAddOns',
  // Not DcrConfiguration: "If you omit this parameter, Amazon Cognito keeps the existing
  // configuration", while one given without EnableStatus turns registration on.
  'AccountRecoverySetting',
  'UserPoolTier',
  'KeyConfiguration',
  'IssuerConfiguration',
] as const;

/** ProviderDetails keys DescribeIdentityProvider adds that a create or update request does not take. */
const DESCRIBE_ONLY_DETAILS = new Set(['attributes_url_add_attributes']);

/** UpdateUserPool's request that keeps every setting of `pool` and sets the level names (none: Cognito's defaults). */
export function updateRequestOf(pool: Json, userPoolId: string, levelNames: Partial<Record<Level, string>> | undefined): Json {
  const request: Json = { UserPoolId: userPoolId };
  for (const key of UPDATABLE) if (pool[key] !== undefined) request[key] = pool[key];
  if (typeof pool.Name === 'string') request.PoolName = pool.Name;
  // Tags of AWS's own (aws:…) are not the caller's to set.
  if (request.UserPoolTags) request.UserPoolTags = Object.fromEntries(Object.entries(request.UserPoolTags as Record<string, string>).filter(([k]) => !k.startsWith('aws:')));
  // "When you set TemporaryPasswordValidityDays for a user pool, you can no longer set a value
  // for the legacy UnusedAccountValidityDays" (PasswordPolicyType): Describe may return both.
  const temporary = (pool.Policies as { PasswordPolicy?: { TemporaryPasswordValidityDays?: number } } | undefined)?.PasswordPolicy?.TemporaryPasswordValidityDays;
  const admin = request.AdminCreateUserConfig as Json | undefined;
  if (admin && temporary !== undefined && 'UnusedAccountValidityDays' in admin) {
    const { UnusedAccountValidityDays: _legacy, ...rest } = admin;
    request.AdminCreateUserConfig = rest;
  }
  const names = Object.entries(levelNames ?? {}).filter(([, v]) => v);
  if (names.length) request.AcrConfiguration = Object.fromEntries(names.map(([level, value]) => [level, { AcrValue: value }]));
  return request;
}

/** A deep comparison that ignores the order of object keys, and of lists of plain values. */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every((x) => typeof x !== 'object')) return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
  const ka = Object.keys(a).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Json)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Json)[k], (b as Json)[k]));
};

async function describePool(cognito: CognitoApi, userPoolId: string): Promise<Json> {
  const r = await send(cognito, new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
  if (!r.UserPool) throw new NativeLevelsError(`DescribeUserPool returned no user pool for ${userPoolId}`);
  return r.UserPool as Json;
}

async function describeProvider(cognito: CognitoApi, userPoolId: string, providerName: string): Promise<Json> {
  const r = await send(cognito, new DescribeIdentityProviderCommand({ UserPoolId: userPoolId, ProviderName: providerName }));
  if (!r.IdentityProvider) throw new NativeLevelsError(`DescribeIdentityProvider returned nothing for ${providerName}`);
  return r.IdentityProvider as Json;
}

/** MFA and passkey settings, which DescribeUserPool does not show (GetUserPoolMfaConfig). */
const mfaConfig = (cognito: CognitoApi, userPoolId: string) => send(cognito, new GetUserPoolMfaConfigCommand({ UserPoolId: userPoolId }));

const updatePool = (cognito: CognitoApi, request: Json) => send(cognito, new UpdateUserPoolCommand(request as unknown as UpdateUserPoolCommandInput));
const updateProvider = (cognito: CognitoApi, request: Json) => send(cognito, new UpdateIdentityProviderCommand(request as unknown as UpdateIdentityProviderCommandInput));

const namesOf = (pool: Json) => Object.fromEntries(Object.entries((pool.AcrConfiguration ?? {}) as Record<string, { AcrValue?: string }>).map(([l, v]) => [l, v.AcrValue]));

/** Sets the pool's level names, keeping every other setting; checks that Cognito kept them. */
async function setLevelNames(cognito: CognitoApi, userPoolId: string, levelNames: Partial<Record<Level, string>> | undefined): Promise<void> {
  const before = await describePool(cognito, userPoolId);
  const request = updateRequestOf(before, userPoolId, levelNames);
  // Nothing to change (Cognito's default names, none set): no UpdateUserPool at all.
  if (request.AcrConfiguration === undefined && before.AcrConfiguration === undefined) return;
  const mfaBefore = await mfaConfig(cognito, userPoolId);
  await updatePool(cognito, request);
  const after = await describePool(cognito, userPoolId);
  const changed = [...UPDATABLE.filter((k) => !same(before[k], after[k])), ...(same(mfaBefore, await mfaConfig(cognito, userPoolId)) ? [] : ['MFA and passkey settings (GetUserPoolMfaConfig)'])];
  if (changed.length) {
    // Put back what was there, then say what happened.
    const back = await updatePool(cognito, updateRequestOf(before, userPoolId, namesOf(before))).then(() => true, () => false);
    throw new NativeLevelsError(
      `UpdateUserPool changed settings it was given unchanged: ${changed.join(', ')}. ${back ? 'The earlier pool settings were sent back (UpdateUserPool cannot carry MFA and passkey settings: check those)' : 'Sending the earlier settings back failed too'}; check the user pool ${userPoolId} and redeploy.`,
    );
  }
  // Asked for no names (removal): what Cognito kept is for the caller to clear.
  if (request.AcrConfiguration !== undefined && !same(request.AcrConfiguration, after.AcrConfiguration)) {
    throw new NativeLevelsError(
      `Cognito did not keep AcrConfiguration on user pool ${userPoolId} (DescribeUserPool reads it back ${after.AcrConfiguration === undefined ? 'empty' : 'different'}): its native authentication levels are not available to this pool. Set jpki.stepUp.nativeLevels.enabled to false; step-up with the product's own claims works without them.`,
    );
  }
}

/** Sets the identity provider's AcrMapping; any other setting Cognito changed on the way is put back. */
async function setAcrMapping(cognito: CognitoApi, userPoolId: string, providerName: string, acrMapping: Partial<Record<Level, string>>): Promise<void> {
  const before = await describeProvider(cognito, userPoolId, providerName);
  await updateProvider(cognito, { UserPoolId: userPoolId, ProviderName: providerName, AcrMapping: acrMapping });
  let after = await describeProvider(cognito, userPoolId, providerName);
  const kept = ['ProviderDetails', 'AttributeMapping', 'IdpIdentifiers'] as const;
  // Whether an update without ProviderDetails keeps them is not documented: if not, they are put back.
  if (kept.some((k) => !same(before[k], after[k]))) {
    const details = Object.fromEntries(Object.entries((before.ProviderDetails ?? {}) as Record<string, string>).filter(([k]) => !DESCRIBE_ONLY_DETAILS.has(k)));
    await updateProvider(cognito, {
      UserPoolId: userPoolId,
      ProviderName: providerName,
      ProviderDetails: details,
      AttributeMapping: before.AttributeMapping ?? {},
      IdpIdentifiers: before.IdpIdentifiers ?? [],
      AcrMapping: acrMapping,
    });
    after = await describeProvider(cognito, userPoolId, providerName);
    const still = kept.filter((k) => !same(before[k], after[k]));
    if (still.length) throw new NativeLevelsError(`UpdateIdentityProvider changed ${still.join(', ')} of ${providerName} and they could not be put back: check the identity provider and redeploy.`);
  }
  if (!same(acrMapping, after.AcrMapping ?? {})) {
    throw new NativeLevelsError(`Cognito did not keep AcrMapping on the identity provider ${providerName}: its native authentication levels are not available to this pool. Set jpki.stepUp.nativeLevels.enabled to false.`);
  }
}

/** Create and Update: the level names and the mapping, as the tenant file says. */
export async function applyNativeLevels(cognito: CognitoApi, s: NativeLevelsSettings): Promise<void> {
  await setLevelNames(cognito, s.userPoolId, s.levelNames);
  await setAcrMapping(cognito, s.userPoolId, s.providerName, s.acrMapping);
}

const DEFAULT_NAMES = Object.fromEntries(LEVELS.map((l) => [l, defaultLevelName(l)])) as Record<Level, string>;

/**
 * Delete (the tenant turned them off, or the stack goes): Cognito's default names and no
 * mapping, with the same care as setting them. It never fails the stack's deletion or a
 * rollback: what could not be undone is returned, for the log.
 */
export async function removeNativeLevels(cognito: CognitoApi, s: Pick<NativeLevelsSettings, 'userPoolId' | 'providerName'>): Promise<string | undefined> {
  const problems: string[] = [];
  // Each part on its own: the mapping is cleared even when the names could not be.
  const attempt = async (part: () => Promise<void>) => {
    try {
      await part();
    } catch (e) {
      if (!(e instanceof CognitoCallError && e.type === 'ResourceNotFoundException')) problems.push(e instanceof Error ? e.message : String(e));
    }
  };
  await attempt(async () => {
    await setLevelNames(cognito, s.userPoolId, undefined);
    // An update without AcrConfiguration may keep the names (undocumented): then name the defaults.
    const left = (await describePool(cognito, s.userPoolId)).AcrConfiguration as Record<string, { AcrValue?: string }> | undefined;
    if (left && Object.entries(left).some(([l, v]) => v.AcrValue !== DEFAULT_NAMES[l as Level])) await setLevelNames(cognito, s.userPoolId, DEFAULT_NAMES);
  });
  await attempt(() => setAcrMapping(cognito, s.userPoolId, s.providerName, {}));
  return problems.length ? problems.join(' / ') : undefined;
}
