/** The OP client settings of a client assertion for the Agency's sandbox OP, as the proxy derives them (tests of the signers). */
export const sandboxAssertionSettings = {
  issuer: 'https://sb-auth-and-sign.go.jp/api/realms/main',
  tokenEndpoint: 'https://sb-auth-and-sign.go.jp/api/realms/main/protocol/openid-connect/token',
  userinfoEndpoint: 'https://x/userinfo',
  clientId: 'RP00000001',
  requestTimeoutMs: 1000,
  assertionLifetimeSeconds: 60,
  assertionAudience: 'token-endpoint' as const,
};
