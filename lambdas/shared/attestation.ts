/**
 * The attestation of verified attributes. Cognito requires app clients to have write access to
 * every attribute an IdP maps, so a person could overwrite a name the My Number Card vouched
 * for. The proxy therefore also issues a JWS (signed with its token key) over a digest of the
 * verified values; a consumer that checks it can tell card-verified values from edited ones.
 */
import { createHash } from 'node:crypto';
import { jwtVerify, type JWTVerifyGetKey } from 'jose';
import { signJwt, type JwsSigner } from './signer';
import type { VerifiedAttributes } from './verified-claims';

export const ATTESTATION_TYP = 'jpki-attestation+jwt';

/** Who vouched, and how strongly: the OP's issuer (a sandbox OP is not production) and its acr. */
export interface Vouching {
  readonly opIssuer: string;
  readonly acr?: string;
}

/** SHA-256 over the values in a fixed order; absent values count as empty. */
export function attestationDigest(sub: string, a: VerifiedAttributes, verifiedAt: string, v: Vouching): string {
  const canonical = JSON.stringify([sub, a.name ?? '', a.address ?? '', a.birthdate ?? '', a.gender ?? '', verifiedAt, v.opIssuer, v.acr ?? '']);
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

export function attest(signer: JwsSigner, issuer: string, sub: string, a: VerifiedAttributes, verifiedAt: string, v: Vouching): Promise<string> {
  return signJwt(signer, { iss: issuer, sub, vat: verifiedAt, h: attestationDigest(sub, a, verifiedAt, v) }, ATTESTATION_TYP);
}

/** True when `jwt` attests exactly these values, from this OP at this acr, for this subject. */
export async function verifyAttestation(
  jwt: string,
  keys: JWTVerifyGetKey,
  expected: { issuer: string; sub: string; attributes: VerifiedAttributes; verifiedAt: string } & Vouching,
): Promise<boolean> {
  try {
    const { payload } = await jwtVerify(jwt, keys, { issuer: expected.issuer, subject: expected.sub, typ: ATTESTATION_TYP, algorithms: ['ES256', 'RS256', 'PS256'] });
    return payload.vat === expected.verifiedAt && payload.h === attestationDigest(expected.sub, expected.attributes, expected.verifiedAt, expected);
  } catch {
    return false;
  }
}
