/**
 * Reads what the Cognito stand-in emulates from a tenant's synthesized CloudFormation template,
 * the way CloudFormation would resolve it: the user pool, its domain, app clients, identity
 * providers and Lambda triggers. Physical ids (pool id, client ids) are made up here, stable for
 * a template; the proxy's function URL and Secrets Manager dynamic references are resolved by
 * the caller (`LocalResources`). Nothing else is read: change the tenant file, synthesize, and
 * the stand-in follows.
 */
import { createHash } from 'node:crypto';

type Json = unknown;
interface CfnResource { Type: string; Properties?: Record<string, Json>; DependsOn?: Json }
export interface CfnTemplate { Resources: Record<string, CfnResource>; Outputs?: Record<string, { Value: Json }> }

/** What the caller knows about resources the stand-in does not run itself. */
export interface LocalResources {
  /** The local origin serving a Lambda function URL (by the Function's logical id), e.g. the local proxy. */
  functionUrl(functionLogicalId: string): string | undefined;
  /** The value of a `{{resolve:secretsmanager:<id>:SecretString:<key>::}}` reference. */
  secret(secretId: string, jsonKey: string | undefined): string;
  readonly region: string;
  readonly account: string;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

const hash = (s: string) => createHash('sha256').update(s).digest();
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (bytes: Buffer, alphabet: string, n: number) => Array.from(bytes.subarray(0, n), (b) => alphabet[b % alphabet.length]).join('');

/** Physical ids in Cognito's forms: `<region>_<9 base62>` for a pool, 26 lowercase alphanumerics for a client. */
export const userPoolIdFor = (region: string, logicalId: string) => `${region}_${pick(hash(`pool:${logicalId}`), BASE62, 9)}`;
export const clientIdFor = (logicalId: string) => pick(hash(`client:${logicalId}`), ALNUM, 26);

export interface TriggerFunction {
  readonly logicalId: string;
  /** The function's code folder in the cloud assembly (asset.<hash>), or undefined for inline/S3 code. */
  readonly assetPath?: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
}

export interface PoolSchemaAttribute { readonly name: string; readonly mutable: boolean; readonly custom: boolean; readonly required: boolean; readonly maxLength?: number; readonly minLength?: number }

export interface UserPoolModel {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly tier: string;
  readonly usernameAttributes: readonly string[];
  readonly autoVerifiedAttributes: readonly string[];
  readonly caseSensitiveUsernames: boolean;
  readonly schema: readonly PoolSchemaAttribute[];
  readonly passwordPolicy: { minimumLength: number; requireLowercase: boolean; requireUppercase: boolean; requireNumbers: boolean; requireSymbols: boolean };
  readonly firstAuthFactors: readonly string[];
  readonly webAuthn: { relyingPartyId?: string; userVerification: 'required' | 'preferred' };
  readonly verification: { emailSubject: string; emailMessage: string };
  readonly allowAdminCreateUserOnly: boolean;
  /** Trigger name (PreSignUp, PostAuthentication, PreTokenGeneration, InboundFederation…) → function. */
  readonly triggers: Readonly<Record<string, { function: TriggerFunction; version?: string }>>;
  readonly domainPrefix?: string;
  /** The pool's properties as CloudFormation resolves them (what DescribeUserPool reports). */
  readonly properties: Readonly<Record<string, any>>;
}

export interface AppClientModel {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly generateSecret: boolean;
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  readonly allowedOAuthFlows: readonly string[];
  readonly allowedOAuthScopes: readonly string[];
  readonly explicitAuthFlows: readonly string[];
  readonly readAttributes?: readonly string[];
  readonly writeAttributes?: readonly string[];
  readonly supportedIdentityProviders: readonly string[];
  /** Token lifetimes in seconds. */
  readonly validity: { idToken: number; accessToken: number; refreshToken: number };
  readonly enableTokenRevocation: boolean;
  readonly preventUserExistenceErrors: boolean;
}

export interface IdentityProviderModel {
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  readonly details: Readonly<Record<string, string>>;
  /** user pool attribute → IdP claim */
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly identifiers: readonly string[];
}

export interface PoolModel {
  readonly pool: UserPoolModel;
  readonly clients: readonly AppClientModel[];
  readonly identityProviders: readonly IdentityProviderModel[];
}

const UNITS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** Resolves the intrinsic functions a tenant template uses, as CloudFormation would. */
class Resolver {
  constructor(
    private readonly t: CfnTemplate,
    private readonly local: LocalResources,
    private readonly refs: Record<string, string>,
  ) {}

  /** https://<host> of each local function URL → its real (http) origin. */
  readonly localOrigins = new Map<string, string>();

  /** A URL built on a local function URL, with its real origin. */
  localUrl(u: string): string {
    for (const [https, origin] of this.localOrigins) if (u === https || u.startsWith(`${https}/`)) return origin + u.slice(https.length);
    return u;
  }

  value(v: Json, where: string): any {
    if (typeof v === 'string') return this.dynamic(v);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => this.value(x, `${where}[${i}]`));
    const entries = Object.entries(v as Record<string, Json>);
    const [fn, args] = entries[0] ?? [];
    if (entries.length !== 1 || (!fn!.startsWith('Fn::') && fn !== 'Ref')) {
      return Object.fromEntries(entries.map(([k, x]) => [k, this.value(x, `${where}.${k}`)]));
    }
    switch (fn) {
      case 'Ref': {
        const id = String(args);
        if (id === 'AWS::Region') return this.local.region;
        if (id === 'AWS::AccountId') return this.local.account;
        if (id === 'AWS::URLSuffix') return 'amazonaws.com';
        if (id === 'AWS::Partition') return 'aws';
        const r = this.refs[id] ?? (this.t.Resources[id] ? id : undefined);
        if (r === undefined) throw new TemplateError(`${where}: Ref ${id} names no resource of the template`);
        return r;
      }
      case 'Fn::Join': {
        const [sep, parts] = args as [string, Json[]];
        return this.dynamic((this.value(parts, where) as string[]).join(sep));
      }
      case 'Fn::Select': {
        const [i, list] = args as [number, Json];
        return (this.value(list, where) as string[])[Number(i)];
      }
      case 'Fn::Split': {
        const [sep, s] = args as [string, Json];
        return String(this.value(s, where)).split(sep);
      }
      case 'Fn::GetAtt': {
        const [id, attr] = (typeof args === 'string' ? args.split('.') : args) as [string, string];
        const res = this.t.Resources[id];
        if (attr === 'FunctionUrl' && res?.Type === 'AWS::Lambda::Url') {
          const target = (res.Properties?.TargetFunctionArn as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
          const url = target ? this.local.functionUrl(target) : undefined;
          if (!url) throw new TemplateError(`${where}: nothing serves the function URL of ${target ?? id} locally`);
          // A function URL is https://<id>.lambda-url.<region>.on.aws/ and templates build URLs
          // from its host with https:// (as CloudFormation resolves them); the local server
          // speaks plain http, which `localUrl` puts back.
          const local = new URL(url);
          this.localOrigins.set(`https://${local.host}`, local.origin);
          return `https://${local.host}/`;
        }
        if (attr === 'Arn') return `arn:aws:${id}`;
        throw new TemplateError(`${where}: cannot resolve Fn::GetAtt ${id}.${attr}`);
      }
      case 'Fn::Sub': {
        const s = typeof args === 'string' ? args : (args as [string])[0];
        return s.replace(/\$\{([^}]+)\}/g, (_, name: string) => String(this.value(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }, where)));
      }
      default:
        throw new TemplateError(`${where}: the stand-in does not resolve ${fn}`);
    }
  }

  /** `{{resolve:secretsmanager:<id>:SecretString:<key>::}}`, resolved where it stands (CloudFormation dynamic references). */
  private dynamic(s: string): string {
    return s.replace(/\{\{resolve:secretsmanager:(.+?):SecretString:([^:}]*)(?::[^:}]*)?(?::[^:}]*)?\}\}/g, (_, id: string, key: string) => this.local.secret(id, key || undefined));
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The physical ids the stand-in gives: pools and clients in Cognito's forms, secrets as ARNs, the rest their logical id. */
function physicalIds(template: CfnTemplate, local: LocalResources): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Cognito::UserPool') refs[id] = userPoolIdFor(local.region, id);
    else if (r.Type === 'AWS::Cognito::UserPoolClient') refs[id] = clientIdFor(id);
    else if (r.Type === 'AWS::Cognito::UserPoolIdentityProvider') refs[id] = String(r.Properties?.ProviderName);
    else if (r.Type === 'AWS::Events::EventBus') refs[id] = String(r.Properties?.Name ?? id);
    else if (r.Type === 'AWS::SecretsManager::Secret') refs[id] = `arn:aws:secretsmanager:${local.region}:${local.account}:secret:${id}`;
  }
  return refs;
}

/** A resource's properties as CloudFormation resolves them (with the stand-in's physical ids). */
export function resolvedProperties(template: CfnTemplate, local: LocalResources, logicalId: string): Record<string, any> {
  const r = template.Resources[logicalId];
  if (!r) throw new TemplateError(`no resource ${logicalId}`);
  return (new Resolver(template, local, physicalIds(template, local)).value(r.Properties ?? {}, logicalId) ?? {}) as Record<string, any>;
}

/** Where a Lambda function's bundled code is in the cloud assembly: `asset.<hash>` (asset metadata, or the S3 key `<hash>.zip`). */
export function assetPathOf(template: CfnTemplate, logicalId: string, assemblyDir: string | undefined): string | undefined {
  const raw = template.Resources[logicalId] as CfnResource & { Metadata?: Record<string, unknown> };
  const key = (raw?.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const asset = typeof raw?.Metadata?.['aws:asset:path'] === 'string' ? String(raw.Metadata['aws:asset:path']) : typeof key === 'string' ? `asset.${key.replace(/\.zip$/, '')}` : undefined;
  return asset && assemblyDir ? `${assemblyDir}/${asset}` : undefined;
}

/**
 * The user pool model of a template. A tenant template has exactly one user pool; one with
 * several (or none) is refused with a message that says so.
 */
export function readPoolModel(template: CfnTemplate, local: LocalResources, assemblyDir?: string): PoolModel {
  const byType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const pools = byType('AWS::Cognito::UserPool');
  if (pools.length !== 1) throw new TemplateError(`expected one AWS::Cognito::UserPool, found ${pools.length}`);
  const [poolLogicalId, poolRes] = pools[0]!;
  const refs = physicalIds(template, local);
  const clientsRes = byType('AWS::Cognito::UserPoolClient');
  const resolver = new Resolver(template, local, refs);
  const p = (resolver.value(poolRes.Properties ?? {}, poolLogicalId) ?? {}) as Record<string, any>;

  const functionModel = (ref: unknown, where: string): TriggerFunction => {
    const logicalId = (ref as { 'Fn::GetAtt'?: [string] })?.['Fn::GetAtt']?.[0];
    const fn = logicalId ? template.Resources[logicalId] : undefined;
    if (!logicalId || fn?.Type !== 'AWS::Lambda::Function') throw new TemplateError(`${where}: not a Lambda function of this template`);
    const fp = (resolver.value(fn.Properties ?? {}, logicalId) ?? {}) as Record<string, any>;
    return {
      logicalId,
      assetPath: assetPathOf(template, logicalId, assemblyDir),
      handler: String(fp.Handler ?? 'index.handler'),
      runtime: String(fp.Runtime ?? ''),
      timeoutSeconds: Number(fp.Timeout ?? 3),
      environment: Object.fromEntries(Object.entries((fp.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    };
  };
  const rawLambdaConfig = (poolRes.Properties?.LambdaConfig ?? {}) as Record<string, unknown>;
  const triggers: Record<string, { function: TriggerFunction; version?: string }> = {};
  for (const [name, v] of Object.entries(rawLambdaConfig)) {
    if (name === 'KMSKeyID' || name === 'CustomSMSSender' || name === 'CustomEmailSender') continue;
    // PreTokenGenerationConfig / InboundFederation: { LambdaArn, LambdaVersion }; the others: an ARN.
    const trigger = name === 'PreTokenGenerationConfig' ? 'PreTokenGeneration' : name;
    if (v && typeof v === 'object' && 'LambdaArn' in v) {
      const o = v as { LambdaArn: unknown; LambdaVersion?: string };
      triggers[trigger] = { function: functionModel(o.LambdaArn, `LambdaConfig.${name}`), version: o.LambdaVersion };
    } else if (name !== 'PreTokenGeneration' || !triggers.PreTokenGeneration) {
      triggers[trigger] = { function: functionModel(v, `LambdaConfig.${name}`), version: trigger === 'PreTokenGeneration' ? 'V1_0' : undefined };
    }
  }

  const pw = (p.Policies?.PasswordPolicy ?? {}) as Record<string, unknown>;
  const domains = byType('AWS::Cognito::UserPoolDomain');
  const pool: UserPoolModel = {
    logicalId: poolLogicalId,
    id: refs[poolLogicalId]!,
    name: String(p.UserPoolName ?? poolLogicalId),
    tier: String(p.UserPoolTier ?? 'ESSENTIALS'),
    usernameAttributes: strings(p.UsernameAttributes),
    autoVerifiedAttributes: strings(p.AutoVerifiedAttributes),
    caseSensitiveUsernames: p.UsernameConfiguration?.CaseSensitive === true,
    schema: ((p.Schema ?? []) as Array<Record<string, any>>).map((a) => {
      const custom = a.AttributeDataType !== undefined && !STANDARD_ATTRIBUTES.has(a.Name);
      const c = a.StringAttributeConstraints as Record<string, string> | undefined;
      return {
        name: custom ? `custom:${a.Name}` : String(a.Name),
        mutable: a.Mutable !== false,
        custom,
        required: a.Required === true,
        ...(c?.MaxLength ? { maxLength: Number(c.MaxLength) } : {}),
        ...(c?.MinLength ? { minLength: Number(c.MinLength) } : {}),
      };
    }),
    passwordPolicy: {
      minimumLength: Number(pw.MinimumLength ?? 8),
      requireLowercase: pw.RequireLowercase !== false,
      requireUppercase: pw.RequireUppercase !== false,
      requireNumbers: pw.RequireNumbers !== false,
      requireSymbols: pw.RequireSymbols !== false,
    },
    firstAuthFactors: strings(p.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? ['PASSWORD']),
    webAuthn: { relyingPartyId: p.WebAuthnRelyingPartyID as string | undefined, userVerification: p.WebAuthnUserVerification === 'required' ? 'required' : 'preferred' },
    verification: {
      emailSubject: String(p.VerificationMessageTemplate?.EmailSubject ?? p.EmailVerificationSubject ?? 'Your verification code'),
      emailMessage: String(p.VerificationMessageTemplate?.EmailMessage ?? p.EmailVerificationMessage ?? 'Your verification code is {####}.'),
    },
    allowAdminCreateUserOnly: p.AdminCreateUserConfig?.AllowAdminCreateUserOnly === true,
    triggers,
    domainPrefix: domains[0] ? String(resolver.value(domains[0][1].Properties?.Domain, domains[0][0])) : undefined,
    properties: p,
  };

  const clients = clientsRes.map(([logicalId, r]): AppClientModel => {
    const c = resolver.value(r.Properties ?? {}, logicalId) as Record<string, any>;
    const units = (c.TokenValidityUnits ?? {}) as Record<string, string>;
    const seconds = (value: unknown, unit: string | undefined, defaultUnit: string, fallback: number) =>
      value === undefined ? fallback : Number(value) * (UNITS[unit ?? defaultUnit] ?? 1);
    return {
      logicalId,
      id: refs[logicalId]!,
      name: String(c.ClientName ?? logicalId),
      generateSecret: c.GenerateSecret === true,
      callbackUrls: strings(c.CallbackURLs),
      logoutUrls: strings(c.LogoutURLs),
      allowedOAuthFlows: c.AllowedOAuthFlowsUserPoolClient === true ? strings(c.AllowedOAuthFlows) : [],
      allowedOAuthScopes: strings(c.AllowedOAuthScopes),
      explicitAuthFlows: strings(c.ExplicitAuthFlows),
      readAttributes: c.ReadAttributes ? strings(c.ReadAttributes) : undefined,
      writeAttributes: c.WriteAttributes ? strings(c.WriteAttributes) : undefined,
      supportedIdentityProviders: strings(c.SupportedIdentityProviders),
      // Defaults: ID and access tokens 1 hour, refresh token 30 days (UserPoolClient, CreateUserPoolClient).
      validity: {
        idToken: seconds(c.IdTokenValidity, units.IdToken, 'hours', 3600),
        accessToken: seconds(c.AccessTokenValidity, units.AccessToken, 'hours', 3600),
        refreshToken: seconds(c.RefreshTokenValidity, units.RefreshToken, 'days', 30 * 86400),
      },
      enableTokenRevocation: c.EnableTokenRevocation !== false,
      preventUserExistenceErrors: c.PreventUserExistenceErrors === 'ENABLED',
    };
  });

  const identityProviders = byType('AWS::Cognito::UserPoolIdentityProvider').map(([logicalId, r]): IdentityProviderModel => {
    const d = resolver.value(r.Properties ?? {}, logicalId) as Record<string, any>;
    return {
      logicalId,
      name: String(d.ProviderName),
      type: String(d.ProviderType),
      details: Object.fromEntries(Object.entries((d.ProviderDetails ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolver.localUrl(String(v))])),
      attributeMapping: (d.AttributeMapping ?? {}) as Record<string, string>,
      identifiers: strings(d.IdpIdentifiers),
    };
  });
  return { pool, clients, identityProviders };
}

/** The standard attributes of a user pool (OIDC standard claims Cognito keeps). */
export const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name', 'nickname',
  'phone_number', 'phone_number_verified', 'picture', 'preferred_username', 'profile', 'sub', 'updated_at', 'website', 'zoneinfo',
]);
