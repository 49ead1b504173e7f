declare module 'ecdsa-sig-formatter' {
  /** DER (ASN.1) ECDSA signature to the JOSE form (R || S), base64url. */
  export function derToJose(signature: Buffer | string, alg: string): string;
  /** JOSE form (R || S) to DER. */
  export function joseToDer(signature: Buffer | string, alg: string): Buffer;
}
