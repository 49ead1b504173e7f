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

/** Twelve digits, alone: the form of an Individual Number (個人番号), which never passes. */
const INDIVIDUAL_NUMBER = /^\s*\d{12}\s*$/;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX && !INDIVIDUAL_NUMBER.test(v) ? v : undefined;
}

/** The OIDC address claim may be a string or an address object (OIDC Core section 5.1.1). */
function address(v: unknown): string | undefined {
  if (typeof v === 'string') return text(v);
  if (!v || typeof v !== 'object') return undefined;
  const a = v as Record<string, unknown>;
  if (typeof a.formatted === 'string' && a.formatted.length > 0) return text(a.formatted);
  // Japanese order: postal code, prefecture, municipality, street.
  const parts = [typeof a.postal_code === 'string' && a.postal_code ? `〒${a.postal_code}` : undefined, a.region, a.locality, a.street_address]
    .filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length ? text(parts.join(' ')) : undefined;
}

/** YYYY-MM-DD (OIDC Core 5.1); a YYYYMMDD value is normalized; a date that does not exist is dropped. */
function birthdate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * OIDC's `female` and `male` (Core 5.1), from those or from the codes of JIS X 0303 that the
 * Japanese public sector uses (1 male, 2 female, 0 not known, 9 not applicable). Any other value
 * (OIDC allows them) is kept as it came, up to 64 characters.
 */
const GENDER_CODES: Record<string, string> = { '1': 'male', '2': 'female', '0': 'unknown', '9': 'not_applicable' };
function gender(v: unknown): string | undefined {
  if (typeof v === 'number') v = String(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) return undefined;
  // Digits are a code or nothing: no number of any other kind passes as a gender.
  if (/^\d+$/.test(v)) return GENDER_CODES[v];
  return v;
}

/**
 * The verified attributes, normalized only where OIDC fixes a form (address object, birthdate,
 * gender codes). Names and addresses are never altered: no Unicode normalization, no width
 * folding, no trimming, so that 髙, 﨑, 𠮷 and compatibility ideographs reach Cognito exactly as
 * the card has them.
 */
export function verifiedAttributesOf(userinfo: Record<string, unknown>): VerifiedAttributes {
  const out: VerifiedAttributes = {};
  const name = text(userinfo.name);
  const addr = address(userinfo.address);
  const birth = birthdate(userinfo.birthdate);
  const g = gender(userinfo.gender);
  if (name) out.name = name;
  if (addr) out.address = addr;
  if (birth) out.birthdate = birth;
  if (g) out.gender = g;
  return out;
}
