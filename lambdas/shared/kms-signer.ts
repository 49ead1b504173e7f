/**
 * A JWS signer whose private key never leaves AWS KMS: an RSA 2048 key (RS256, PS256) or a
 * NIST P-256 key (ES256) with key usage SIGN_VERIFY.
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { derToJose } from 'ecdsa-sig-formatter';
import { publicJwkOf, type JwsAlgorithm, type JwsSigner } from './signer';

const kmsAlgorithm: Record<JwsAlgorithm, SigningAlgorithmSpec> = {
  RS256: 'RSASSA_PKCS1_V1_5_SHA_256',
  PS256: 'RSASSA_PSS_SHA_256',
  ES256: 'ECDSA_SHA_256',
};

export class KmsSigner implements JwsSigner {
  private jwk?: Promise<JWK>;
  constructor(
    private readonly kms: KMSClient,
    /** Key id, ARN or alias. */
    private readonly keyId: string,
    readonly alg: JwsAlgorithm,
  ) {}

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const out = await this.kms.send(
      new SignCommand({ KeyId: this.keyId, Message: signingInput, MessageType: 'RAW', SigningAlgorithm: kmsAlgorithm[this.alg] }),
    );
    if (!out.Signature) throw new Error('KMS returned no signature');
    // KMS returns ECDSA signatures DER-encoded; JWS wants R || S (RFC 7518 section 3.4).
    return this.alg === 'ES256' ? Buffer.from(derToJose(Buffer.from(out.Signature), 'ES256'), 'base64url') : out.Signature;
  }

  publicJwk(): Promise<JWK> {
    this.jwk ??= (async () => {
      const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
      if (!out.PublicKey) throw new Error('KMS returned no public key');
      if (!out.SigningAlgorithms?.includes(kmsAlgorithm[this.alg])) {
        throw new Error(`KMS key ${this.keyId} cannot sign with ${this.alg} (key spec ${out.KeySpec})`);
      }
      return publicJwkOf(createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }), this.alg);
    })();
    this.jwk.catch(() => (this.jwk = undefined));
    return this.jwk;
  }
}
