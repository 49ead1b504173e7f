/**
 * A JWS signer whose private key never leaves AWS KMS: an RSA 2048 key (RS256, PS256) or a
 * NIST P-256 key (ES256) with key usage SIGN_VERIFY. KMS is called over its JSON API
 * (TrentService.Sign, TrentService.GetPublicKey) through `AwsJsonClient`.
 */
import { createPublicKey } from 'node:crypto';
import { derToJose } from './ecdsa-der';
import type { JWK } from 'jose';
import type { AwsJsonClient } from '../../shared/aws-json';
import { publicJwkOf, type JwsAlgorithm, type JwsSigner } from './signer';

const kmsAlgorithm: Record<JwsAlgorithm, string> = {
  RS256: 'RSASSA_PKCS1_V1_5_SHA_256',
  PS256: 'RSASSA_PSS_SHA_256',
  ES256: 'ECDSA_SHA_256',
};

export class KmsSigner implements JwsSigner {
  private jwk?: Promise<JWK>;
  constructor(
    private readonly kms: AwsJsonClient,
    /** Key id, ARN or alias. */
    private readonly keyId: string,
    readonly alg: JwsAlgorithm,
  ) {}

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const out = await this.kms.call<{ Signature?: string }>('TrentService.Sign', {
      KeyId: this.keyId,
      Message: Buffer.from(signingInput).toString('base64'),
      MessageType: 'RAW',
      SigningAlgorithm: kmsAlgorithm[this.alg],
    });
    if (!out.Signature) throw new Error('KMS returned no signature');
    const signature = Buffer.from(out.Signature, 'base64');
    // KMS returns ECDSA signatures DER-encoded; JWS wants R || S (RFC 7518 section 3.4).
    return this.alg === 'ES256' ? derToJose(signature, 32) : signature;
  }

  publicJwk(): Promise<JWK> {
    this.jwk ??= (async () => {
      const out = await this.kms.call<{ PublicKey?: string; KeySpec?: string; SigningAlgorithms?: string[] }>('TrentService.GetPublicKey', { KeyId: this.keyId });
      if (!out.PublicKey) throw new Error('KMS returned no public key');
      if (!out.SigningAlgorithms?.includes(kmsAlgorithm[this.alg])) {
        throw new Error(`KMS key ${this.keyId} cannot sign with ${this.alg} (key spec ${out.KeySpec})`);
      }
      return publicJwkOf(createPublicKey({ key: Buffer.from(out.PublicKey, 'base64'), format: 'der', type: 'spki' }), this.alg);
    })();
    this.jwk.catch(() => (this.jwk = undefined));
    return this.jwk;
  }
}
