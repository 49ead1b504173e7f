/** PKCE (RFC 7636) with S256 only, and the other random values of an authorization request. */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters of [A-Za-z0-9-_] (fits the OP's 255-char limit). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** A fresh code_verifier (43 chars, 256 bits) and its S256 code_challenge. */
export function createPkce(): { verifier: string; challenge: string; method: 'S256' } {
  const verifier = randomToken();
  return { verifier, challenge: s256(verifier), method: 'S256' };
}

export const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');
