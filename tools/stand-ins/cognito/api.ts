/**
 * The user pool API actions apps and the product call, over the AWS JSON 1.1 protocol
 * (`X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`), so the real
 * @aws-sdk/client-cognito-identity-provider works against the stand-in with an endpoint
 * override. Token-authorized actions (GetUser, UpdateUserAttributes) take the access token;
 * the Admin* actions and ListUsers need a SigV4 signature by the stand-in's credentials.
 * Errors have the protocol's shape: HTTP 400, `{"__type": "<Exception>", "message": "…"}`.
 */
import type { Context } from 'hono';
import type { JWTPayload } from 'jose';
import { STAND_IN_CREDENTIALS } from '../aws/aws-stand-in';
import { sigV4Matches } from '../aws/sigv4-check';
import { PoolSettingsError, type PoolSettings } from './pool-settings';
import type { PoolModel } from './template';
import type { User, UserStore } from './users';

export interface ApiDeps {
  readonly model: PoolModel;
  readonly users: UserStore;
  readonly region: string;
  verifyAccessToken(token: string | undefined): Promise<{ claims: JWTPayload; user: User } | undefined>;
  readonly secrets: ReadonlyMap<string, string>;
  readonly settings: PoolSettings;
}

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';
const MAX_LINKS = 5;

const attributesOf = (u: User) => [...u.attributes].map(([Name, Value]) => ({ Name, Value }));
const userRecord = (u: User) => ({
  Username: u.username,
  Attributes: attributesOf(u),
  UserCreateDate: u.createdAt.getTime() / 1000,
  UserLastModifiedDate: u.modifiedAt.getTime() / 1000,
  Enabled: u.enabled,
  UserStatus: u.status,
});

export async function userPoolApi(c: Context, d: ApiDeps): Promise<Response> {
  const target = c.req.header('x-amz-target') ?? '';
  const action = target.startsWith('AWSCognitoIdentityProviderService.') ? target.slice('AWSCognitoIdentityProviderService.'.length) : '';
  const text = await c.req.text();
  const answer = (status: number, body: unknown, type?: string) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) } });
  try {
    let input: Record<string, any>;
    try {
      input = JSON.parse(text || '{}') as Record<string, any>;
    } catch {
      throw new ApiError('SerializationException', 'The request body is not valid JSON');
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ApiError('SerializationException', 'The request body must be a JSON object');
    const handler = ACTIONS[action];
    if (!handler) throw new ApiError('UnknownOperationException', `The stand-in does not implement ${action || target || 'this operation'}`);
    if (handler.iam) {
      const ok = await sigV4Matches({ method: 'POST', url: c.req.url, headers: c.req.raw.headers, body: text, credentials: STAND_IN_CREDENTIALS, service: 'cognito-idp', region: d.region });
      if (!ok) throw new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (input.UserPoolId !== d.model.pool.id) throw new ApiError('ResourceNotFoundException', `User pool ${String(input.UserPoolId)} does not exist.`);
    }
    return answer(200, await handler.run(input, d));
  } catch (e) {
    if (e instanceof ApiError) return answer(e.status, { __type: e.type, message: e.message }, e.type);
    if (e instanceof PoolSettingsError) return answer(400, { __type: e.type, message: e.message }, e.type);
    return answer(500, { __type: 'InternalErrorException', message: 'The stand-in failed on this request' }, 'InternalErrorException');
  }
}

async function tokenUser(input: Record<string, any>, d: ApiDeps): Promise<{ claims: JWTPayload; user: User }> {
  const v = await d.verifyAccessToken(typeof input.AccessToken === 'string' ? input.AccessToken : undefined);
  if (!v) throw new ApiError('NotAuthorizedException', 'Invalid Access Token');
  // Token-authorized self-service actions need the aws.cognito.signin.user.admin scope
  // (an access token from a managed login sign-in has it only when the app requested it).
  if (!String(v.claims.scope ?? '').split(' ').includes(ADMIN_SCOPE)) throw new ApiError('NotAuthorizedException', 'Access Token does not have required scopes');
  return v;
}

function adminUser(d: ApiDeps, username: unknown): User {
  const u = typeof username === 'string' ? d.users.get(username) ?? d.users.bySignInName(username) : undefined;
  if (!u) throw new ApiError('UserNotFoundException', 'User does not exist.');
  return u;
}

/** `attribute = "value"`, `attribute ^= "prefix"` (ListUsers Filter). */
function filterOf(filter: string | undefined): (u: User) => boolean {
  if (!filter) return () => true;
  const m = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  const searchable = new Set(['username', 'email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username', 'cognito:user_status', 'status', 'sub']);
  if (!m || !searchable.has(m[1]!)) throw new ApiError('InvalidParameterException', 'Invalid search attribute or filter');
  const [, attr, op, value] = m as unknown as [string, string, string, string];
  const of = (u: User) => (attr === 'username' ? u.username : attr === 'cognito:user_status' ? u.status : attr === 'status' ? (u.enabled ? 'Enabled' : 'Disabled') : u.attributes.get(attr));
  return (u) => {
    const v = of(u);
    return v !== undefined && (op === '=' ? v === value : v.startsWith(value));
  };
}

const ACTIONS: Record<string, { iam: boolean; run(input: Record<string, any>, d: ApiDeps): Promise<unknown> | unknown }> = {
  GetUser: {
    iam: false,
    async run(input, d) {
      const { user } = await tokenUser(input, d);
      return { Username: user.username, UserAttributes: attributesOf(user), MFAOptions: [], UserMFASettingList: [] };
    },
  },
  UpdateUserAttributes: {
    iam: false,
    async run(input, d) {
      const { claims, user } = await tokenUser(input, d);
      const client = d.model.clients.find((x) => x.id === claims.client_id);
      const list = Array.isArray(input.UserAttributes) ? (input.UserAttributes as Array<{ Name?: unknown; Value?: unknown }>) : [];
      if (list.length === 0) throw new ApiError('InvalidParameterException', '1 validation error detected: Value null at \'userAttributes\' failed to satisfy constraint: Member must not be null');
      const changes: Record<string, string> = {};
      for (const a of list) {
        const name = String(a.Name ?? '');
        const schema = d.model.pool.schema.find((s) => s.name === name);
        if (!schema) throw new ApiError('InvalidParameterException', `Attribute does not exist in the schema: ${name}`);
        if (!schema.mutable) throw new ApiError('NotAuthorizedException', `Cannot modify an immutable attribute: ${name}`);
        if (client?.writeAttributes && !client.writeAttributes.includes(name)) throw new ApiError('NotAuthorizedException', 'A client attempted to write unauthorized attribute');
        const value = String(a.Value ?? '');
        if (schema.maxLength !== undefined && value.length > schema.maxLength) throw new ApiError('InvalidParameterException', `String attribute ${name} is too long`);
        changes[name] = value;
      }
      // A new email address is not verified (and, with AttributesRequireVerificationBeforeUpdate, would wait for its code).
      if (changes.email !== undefined && changes.email !== user.attributes.get('email')) changes.email_verified = 'false';
      d.users.setAttributes(user, changes);
      return { CodeDeliveryDetailsList: [] };
    },
  },
  AdminGetUser: {
    iam: true,
    run(input, d) {
      const u = adminUser(d, input.Username);
      const r = userRecord(u);
      return { Username: r.Username, UserAttributes: r.Attributes, UserCreateDate: r.UserCreateDate, UserLastModifiedDate: r.UserLastModifiedDate, Enabled: r.Enabled, UserStatus: r.UserStatus, MFAOptions: [], UserMFASettingList: [] };
    },
  },
  ListUsers: {
    iam: true,
    run(input, d) {
      const match = filterOf(typeof input.Filter === 'string' ? input.Filter : undefined);
      const limit = Math.min(Number(input.Limit ?? 60), 60);
      const only = Array.isArray(input.AttributesToGet) ? (input.AttributesToGet as string[]) : undefined;
      return {
        Users: d.users
          .all()
          .filter(match)
          .slice(0, limit)
          .map((u) => {
            const r = userRecord(u);
            return only ? { ...r, Attributes: r.Attributes.filter((a) => only.includes(a.Name)) } : r;
          }),
      };
    },
  },
  AdminDeleteUser: {
    iam: true,
    run(input, d) {
      d.users.delete(adminUser(d, input.Username).username);
      return {};
    },
  },
  // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html
  DescribeUserPool: {
    iam: true,
    run: (_input, d) => ({ UserPool: d.settings.describePool() }),
  },
  // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPool.html
  UpdateUserPool: {
    iam: true,
    run(input, d) {
      d.settings.updatePool(input);
      return {};
    },
  },
  GetUserPoolMfaConfig: {
    iam: true,
    run: (_input, d) => d.settings.mfaConfig(),
  },
  DescribeIdentityProvider: {
    iam: true,
    run: (input, d) => ({ IdentityProvider: d.settings.describeProvider(String(input.ProviderName ?? '')) }),
  },
  UpdateIdentityProvider: {
    iam: true,
    run(input, d) {
      const name = String(input.ProviderName ?? '');
      d.settings.updateProvider(name, input);
      return { IdentityProvider: d.settings.describeProvider(name) };
    },
  },
  // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminLinkProviderForUser.html
  AdminLinkProviderForUser: {
    iam: true,
    run(input, d) {
      const dest = input.DestinationUser as { ProviderName?: string; ProviderAttributeValue?: string } | undefined;
      const src = input.SourceUser as { ProviderName?: string; ProviderAttributeName?: string; ProviderAttributeValue?: string } | undefined;
      if (dest?.ProviderName !== 'Cognito') throw new ApiError('InvalidParameterException', 'DestinationUser.ProviderName must be Cognito');
      const destination = adminUser(d, dest.ProviderAttributeValue);
      if (destination.status === 'EXTERNAL_PROVIDER') throw new ApiError('InvalidParameterException', 'The destination user must be a user of the user pool, not of an external identity provider');
      const provider = d.model.identityProviders.find((p) => p.name === src?.ProviderName);
      if (!provider || !src?.ProviderAttributeValue) throw new ApiError('InvalidParameterException', 'SourceUser must name an identity provider of this user pool and a value');
      if (src.ProviderAttributeName !== 'Cognito_Subject') throw new ApiError('InvalidParameterException', 'SourceUser.ProviderAttributeName must be Cognito_Subject for an OIDC identity provider');
      const { user: existing, linkedTo } = d.users.byIdentity(provider.name, src.ProviderAttributeValue);
      if (linkedTo) throw new ApiError('AliasExistsException', 'The source user is already linked to a user of this pool');
      // Only an identity that has never signed in can be linked: its federated user must not exist.
      if (existing) throw new ApiError('InvalidParameterException', `Merging is not currently supported, provide a SourceUser that has not been used to sign in: ${existing.username} exists`);
      if (destination.links.length >= MAX_LINKS) throw new ApiError('LimitExceededException', 'A user can have at most 5 linked identities');
      const immutable = d.model.pool.schema.filter((s) => !s.mutable && destination.attributes.has(s.name));
      if (immutable.length) throw new ApiError('InvalidParameterException', `The destination user has immutable attributes: ${immutable.map((s) => s.name).join(', ')}`);
      d.users.link(destination, { providerName: provider.name, providerType: provider.type, userId: src.ProviderAttributeValue });
      return {};
    },
  },
};
