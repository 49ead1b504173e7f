/**
 * An ECDSA signature as KMS returns it (DER: SEQUENCE { INTEGER r, INTEGER s }) to the form JWS
 * uses (R || S, each `size` bytes: RFC 7518 section 3.4).
 *
 * Written here rather than taken from ecdsa-sig-formatter: a dozen lines instead of that library
 * and the Buffer polyfill it brings (their cost to the proxy's bundle: docs/proxy-bundle.md); a
 * test holds this to the library's output.
 */
export class DerSignatureError extends Error {}

export function derToJose(der: Uint8Array, size = 32): Uint8Array {
  let i = 0;
  const byte = () => {
    if (i >= der.length) throw new DerSignatureError('truncated DER signature');
    return der[i++]!;
  };
  const length = () => {
    const first = byte();
    if (first < 0x80) return first;
    if (first !== 0x81) throw new DerSignatureError('unexpected DER length');
    return byte();
  };
  if (byte() !== 0x30) throw new DerSignatureError('not a DER SEQUENCE');
  if (length() !== der.length - i) throw new DerSignatureError('wrong DER SEQUENCE length');
  const out = new Uint8Array(2 * size);
  for (const offset of [0, size]) {
    if (byte() !== 0x02) throw new DerSignatureError('not a DER INTEGER');
    const n = length();
    let value = der.subarray(i, i + n);
    i += n;
    // An INTEGER has a leading 0x00 when its top bit is set; it is never longer than the curve's size otherwise.
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw new DerSignatureError('DER INTEGER too long');
    out.set(value, offset + size - value.length);
  }
  if (i !== der.length) throw new DerSignatureError('trailing bytes after the DER signature');
  return out;
}
