/**
 * oidc-provider's configuration, as the Agency's OP behaves: response_type=code only, PKCE
 * S256, private_key_jwt only (RS256, ES256), pairwise `sub`, the scopes name / address /
 * birthdate / gender, acr aal3, and the Keycloak-style paths.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Configuration } from 'oidc-provider';
import { KEYCLOAK_PATHS } from '../../../lib/config/jpki';
import { memoryAdapter } from './memory-adapter';
import { errorPage } from './pages';
import type { TestPerson } from './persons';
import type { EmulatorOptions, EmulatorState } from './state';

const SCOPES = ['openid', 'name', 'address', 'birthdate', 'gender'] as const;

const JIS_GENDER = { male: '1', female: '2', other: '9' } as const;

/** A person's claims, in the address and gender formats the options name. */
const claimsOf = (p: TestPerson, o: EmulatorOptions) => ({
  name: p.name,
  address: o.addressFormat === 'object' ? { formatted: p.address, ...p.addressParts, country: 'JP' } : p.address,
  birthdate: p.birthdate,
  gender: o.genderFormat === 'jis' ? JIS_GENDER[p.gender] : p.gender,
});

export function providerConfiguration(s: EmulatorState): Configuration {
  return {
    adapter: memoryAdapter(s.store),
    clients: s.options.clients.map((c) => ({
      client_id: c.client_id,
      redirect_uris: c.redirect_uris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: c.token_endpoint_auth_signing_alg ?? 'RS256',
      id_token_signed_response_alg: s.idTokenAlg,
      subject_type: 'pairwise',
      jwks: c.jwks as never,
      scope: SCOPES.join(' '),
    })),
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'ES256'], idTokenSigningAlgValues: ['RS256', 'ES256'] },
    responseTypes: ['code'],
    acrValues: ['aal3'],
    pkce: { required: () => true },
    scopes: [...SCOPES],
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], name: ['name'], address: ['address'], birthdate: ['birthdate'], gender: ['gender'] },
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      createHash('sha256').update(`${client.sectorIdentifier}|${accountId}|${s.pairwiseSalt}`).digest('base64url'),
    findAccount: async (_ctx, id) => {
      const person = s.persons.find((p) => p.id === id);
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claimsOf(person, s.options) }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true }, rpInitiatedLogout: { enabled: false } },
    routes: { authorization: KEYCLOAK_PATHS.authorization, token: KEYCLOAK_PATHS.token, userinfo: KEYCLOAK_PATHS.userinfo, jwks: KEYCLOAK_PATHS.jwks },
    jwks: { keys: s.keys.op as never },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error), String(out.error_description ?? ''));
    },
  };
}
