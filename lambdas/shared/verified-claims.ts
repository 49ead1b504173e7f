/**
 * The verified attributes (基本4情報) taken from the OP's userinfo: only name, address,
 * birthdate and gender, as strings Cognito can store. Every other claim is dropped, so
 * nothing else the OP may send (and never an Individual Number) reaches Cognito.
 */
export interface VerifiedAttributes {
  name?: string;
  address?: string;
  birthdate?: string;
  gender?: string;
}

const MAX = 2048; // Cognito's limit for a mapped attribute value

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX ? v : undefined;
}

/** The OIDC address claim may be a string or an address object (OIDC Core section 5.1.1). */
function address(v: unknown): string | undefined {
  if (typeof v === 'string') return text(v);
  if (!v || typeof v !== 'object') return undefined;
  const a = v as Record<string, unknown>;
  if (typeof a.formatted === 'string') return text(a.formatted);
  // Japanese order: postal code, prefecture, municipality, street.
  const parts = [a.postal_code ? `〒${String(a.postal_code)}` : undefined, a.region, a.locality, a.street_address]
    .filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length ? text(parts.join(' ')) : undefined;
}

/** YYYY-MM-DD (OIDC); a YYYYMMDD value is normalized. */
function birthdate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

export function verifiedAttributesOf(userinfo: Record<string, unknown>): VerifiedAttributes {
  const out: VerifiedAttributes = {};
  const name = text(userinfo.name);
  const addr = address(userinfo.address);
  const birth = birthdate(userinfo.birthdate);
  const gender = typeof userinfo.gender === 'string' && userinfo.gender.length <= 64 ? userinfo.gender : undefined;
  if (name) out.name = name;
  if (addr) out.address = addr;
  if (birth) out.birthdate = birth;
  if (gender) out.gender = gender;
  return out;
}
