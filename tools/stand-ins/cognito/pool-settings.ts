/**
 * The user pool's settings as its API reads and changes them after deploy:
 * DescribeUserPool / UpdateUserPool and DescribeIdentityProvider / UpdateIdentityProvider, and
 * the native authentication levels they carry (AcrConfiguration, AcrMapping).
 *
 * As Cognito documents it, UpdateUserPool sets every setting it is not given to its default
 * ("If you don't provide a value for an attribute, Amazon Cognito sets it to its default
 * value"): the stand-in does the same, and a trigger left out of LambdaConfig stops running.
 *
 * Native levels, as the step-up guide describes them
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-step-up-authentication.html),
 * only once AcrConfiguration or an AcrMapping is set (whether Cognito issues acr without them
 * is not settled: a public test in October 2026 found no acr in tokens): Level1 password,
 * Level2 one email or SMS code, Level3 a passkey, Level4 password with TOTP; a federated
 * sign-in gets the level its IdP's acr maps to, or the lowest one.
 */
import { defaultLevelName as defaultName, LEVELS, type Level } from '../../../lambdas/shared/acr-levels';
import type { IdentityProviderModel, PoolModel } from './template';

export { LEVELS, type Level };

type Json = Record<string, unknown>;

/** UpdateUserPool's fields that DescribeUserPool reports; Cognito resets each one left out, except DcrConfiguration (lambdas/native-levels sends all the others). */
const UPDATABLE = [
  'Policies', 'DeletionProtection', 'LambdaConfig', 'AutoVerifiedAttributes', 'SmsVerificationMessage', 'EmailVerificationMessage', 'EmailVerificationSubject',
  'VerificationMessageTemplate', 'SmsAuthenticationMessage', 'UserAttributeUpdateSettings', 'MfaConfiguration', 'DeviceConfiguration', 'EmailConfiguration',
  'SmsConfiguration', 'UserPoolTags', 'AdminCreateUserConfig', 'UserPoolAddOns', 'DcrConfiguration', 'AccountRecoverySetting', 'UserPoolTier', 'KeyConfiguration',
  'IssuerConfiguration', 'AcrConfiguration',
];

export class PoolSettingsError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

interface ProviderState {
  ProviderName: string;
  ProviderType: string;
  ProviderDetails: Record<string, string>;
  AttributeMapping: Record<string, string>;
  IdpIdentifiers: string[];
  AcrMapping?: Record<string, string>;
}

export class PoolSettings {
  private pool: Json;
  private readonly providers = new Map<string, ProviderState>();

  /**
   * `keepsLevels: false` behaves as the public test of October 2026 found Cognito: UpdateUserPool
   * accepts AcrConfiguration and DescribeUserPool reads it back empty.
   */
  constructor(
    private readonly model: PoolModel,
    private readonly keepsLevels = true,
  ) {
    const p = model.pool.properties;
    const { UserPoolName, Schema, UserPoolTags, ...rest } = p as Json;
    this.pool = {
      ...Object.fromEntries(Object.entries(rest).filter(([k]) => UPDATABLE.includes(k) || ['UsernameAttributes', 'AliasAttributes', 'UsernameConfiguration'].includes(k))),
      ...(UserPoolTags ? { UserPoolTags } : {}),
      Id: model.pool.id,
      Name: UserPoolName ?? model.pool.name,
      SchemaAttributes: Schema ?? [],
      Arn: `arn:aws:cognito-idp:local:000000000000:userpool/${model.pool.id}`,
      Status: 'Enabled',
    };
    for (const idp of model.identityProviders) this.providers.set(idp.name, providerState(idp));
  }

  describePool(): Json {
    return structuredClone(this.pool);
  }

  updatePool(input: Json): void {
    const next: Json = {};
    for (const [k, v] of Object.entries(this.pool)) if (!UPDATABLE.includes(k)) next[k] = v;
    for (const k of UPDATABLE) if (input[k] !== undefined) next[k] = structuredClone(input[k]);
    // "If you omit this parameter, Amazon Cognito keeps the existing configuration" (DcrConfiguration only).
    if (input.DcrConfiguration === undefined && this.pool.DcrConfiguration !== undefined) next.DcrConfiguration = this.pool.DcrConfiguration;
    if (typeof input.PoolName === 'string') next.Name = input.PoolName;
    const acr = input.AcrConfiguration as Record<string, { AcrValue?: string }> | undefined;
    if (acr) {
      if (this.model.pool.tier === 'LITE') throw new PoolSettingsError('FeatureUnavailableInTierException', 'AcrConfiguration needs the Essentials or Plus feature plan');
      for (const [level, v] of Object.entries(acr)) {
        if (!LEVELS.includes(level as Level) || typeof v?.AcrValue !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(v.AcrValue)) throw new PoolSettingsError('InvalidParameterException', `AcrConfiguration.${level} is not a level with a 1-64 character AcrValue`);
      }
      const names = LEVELS.map((l) => acr[l]?.AcrValue ?? defaultName(l));
      if (new Set(names).size !== names.length) throw new PoolSettingsError('InvalidParameterException', 'Each ACR level name must be unique across all four levels, including default names');
      if (!this.keepsLevels) delete next.AcrConfiguration;
    }
    this.pool = next;
  }

  /** GetUserPoolMfaConfig: MFA and passkey settings (SetUserPoolMfaConfig's; UpdateUserPool leaves them). */
  mfaConfig(): Json {
    const p = this.model.pool.properties;
    const enabled = (p.EnabledMfas ?? []) as string[];
    return {
      MfaConfiguration: p.MfaConfiguration ?? 'OFF',
      SoftwareTokenMfaConfiguration: { Enabled: enabled.includes('SOFTWARE_TOKEN_MFA') },
      SmsMfaConfiguration: { ...(p.SmsConfiguration ? { SmsConfiguration: p.SmsConfiguration } : {}) },
      WebAuthnConfiguration: { ...(p.WebAuthnRelyingPartyID ? { RelyingPartyId: p.WebAuthnRelyingPartyID } : {}), UserVerification: p.WebAuthnUserVerification ?? 'preferred' },
    };
  }

  describeProvider(name: string): ProviderState {
    const p = this.providers.get(name);
    if (!p) throw new PoolSettingsError('ResourceNotFoundException', `Identity provider ${name} does not exist.`);
    return structuredClone(p);
  }

  /** Fields not given stay as they are (CloudFormation's own updates give them all). */
  updateProvider(name: string, input: Json): void {
    const p = this.providers.get(name);
    if (!p) throw new PoolSettingsError('ResourceNotFoundException', `Identity provider ${name} does not exist.`);
    if (input.AcrMapping !== undefined) {
      if (p.ProviderType !== 'OIDC') throw new PoolSettingsError('InvalidParameterException', 'Only OIDC identity providers support AcrMapping');
      const m = input.AcrMapping as Record<string, unknown>;
      for (const [level, v] of Object.entries(m)) {
        if (!LEVELS.includes(level as Level) || typeof v !== 'string' || v.length === 0) throw new PoolSettingsError('InvalidParameterException', `AcrMapping.${level} is not a level with an acr value`);
      }
      p.AcrMapping = Object.keys(m).length ? (structuredClone(m) as Record<string, string>) : undefined;
    }
    if (input.ProviderDetails !== undefined) p.ProviderDetails = structuredClone(input.ProviderDetails) as Record<string, string>;
    if (input.AttributeMapping !== undefined) p.AttributeMapping = structuredClone(input.AttributeMapping) as Record<string, string>;
    if (input.IdpIdentifiers !== undefined) p.IdpIdentifiers = structuredClone(input.IdpIdentifiers) as string[];
  }

  /** Whether LambdaConfig still names this trigger (PreSignUp, PreTokenGeneration…). */
  hasTrigger(name: string): boolean {
    const c = (this.pool.LambdaConfig ?? {}) as Json;
    return c[name] !== undefined || c[`${name}Config`] !== undefined;
  }

  /** Native levels are in use once the pool names its levels or an identity provider maps to them. */
  get nativeLevels(): boolean {
    return this.pool.AcrConfiguration !== undefined || [...this.providers.values()].some((p) => p.AcrMapping);
  }

  /** The acr Cognito reports for a level. */
  levelName(level: Level): string {
    return (this.pool.AcrConfiguration as Record<string, { AcrValue: string }> | undefined)?.[level]?.AcrValue ?? defaultName(level);
  }

  /** The level an app asks for with acr_values (the first it names that is a level of this pool). */
  requestedLevel(acrValues: string | undefined): Level | undefined {
    for (const v of (acrValues ?? '').split(' ').filter(Boolean)) {
      const level = LEVELS.find((l) => this.levelName(l) === v);
      if (level) return level;
    }
    return undefined;
  }

  /** The identity provider's acr for a level (what Cognito asks the IdP for). */
  providerAcrFor(provider: string, level: Level): string | undefined {
    return this.providers.get(provider)?.AcrMapping?.[level];
  }

  /** The level of the acr an identity provider answered; an unmapped one is the lowest. */
  levelOfProviderAcr(provider: string, acr: unknown): Level {
    const m = this.providers.get(provider)?.AcrMapping ?? {};
    const found = LEVELS.filter((l) => typeof acr === 'string' && m[l] === acr);
    return found.at(-1) ?? 'Level1';
  }
}


function providerState(idp: IdentityProviderModel): ProviderState {
  return { ProviderName: idp.name, ProviderType: idp.type, ProviderDetails: { ...idp.details }, AttributeMapping: { ...idp.attributeMapping }, IdpIdentifiers: [...idp.identifiers] };
}

/** The level a native sign-in method reaches (fixed by Cognito). */
export function levelOfMethod(method: string): Level {
  if (method === 'passkey') return 'Level3';
  if (method === 'email_otp' || method === 'sms_otp') return 'Level2';
  return 'Level1';
}

export const levelRank = (l: Level) => LEVELS.indexOf(l);
