/**
 * A differential test of the proxy's Cookie header parser (parseCookies in
 * lambdas/federation-proxy/web/http.ts) against the npm package `cookie` (v2, parseCookie), on
 * headers generated from a seeded PRNG: the same few thousand headers on every run.
 *
 * The two differ by design in three ways, each normalised below and nowhere else:
 *  1. Percent-decoding. `cookie` decodes values with decodeURIComponent by default; RFC 6265
 *     defines no decoding (section 4.1.1 leaves any encoding, Base64 say, to the server), and
 *     the proxy keeps values as they came. The reference is run with an identity decode.
 *  2. Names. The proxy keeps only names that are an RFC 6265 section 4.1.1 cookie-name (a token,
 *     RFC 2616 section 2.2); `cookie` keeps any name without `=` or `;` (jshttp/cookie issue
 *     191), the empty name and names with non-ASCII or a no-break space included. The
 *     reference's other names are dropped. Both compare names exactly, so dropping them after
 *     parsing does not change which of two equal names wins.
 *  3. Quotes. The proxy strips one pair of surrounding DQUOTEs (the cookie-value grammar of RFC
 *     6265 section 4.1.1); `cookie` v2 keeps them, as the user agent's algorithm of section 5.2
 *     does. The reference's values lose them the same way.
 * Everything else must be equal: the split on `;`, pairs without `=` skipped, the first `=`
 * ending the name, only spaces and tabs trimmed (section 5.2: WSP; never U+00A0), and the first
 * of two equal names winning (section 5.4: a user agent sends the longest path first, then the
 * oldest).
 */
import { parseCookie } from 'cookie';
import { parseCookies } from '../../../lambdas/federation-proxy/web/http';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

function reference(header: string): Record<string, string> {
  // No prototype: a cookie named __proto__ must become a property, not replace the prototype.
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(parseCookie(header, { decode: (s) => s }))) {
    if (value !== undefined && TOKEN.test(name)) out[name] = unquote(value);
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so a failure names a header that fails again on the next run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NBSP = '\u00a0';
/** Pieces a name is made of: the prefixes, names that repeat (so duplicates occur), whitespace and characters outside the token. */
const NAME_PIECES = ['__Host-', '__Secure-', '__Host-myna_tx', 'myna_tx', 'a', 'b', 'constructor', '__proto__', ' ', '\t', NBSP, '"', '%41', 'ノ', 'é', '😀', ',', '\\', '(', '/', '!', '~', '.', '-'];
/** Pieces a value is made of: `=`, quotes, percent-encoding (valid and not), whitespace, non-ASCII. */
const VALUE_PIECES = ['v', 'abc_-.123', '=', '==', '"', '""', '%', '%41', '%E3%83%8E', '%zz', ' ', '\t', NBSP, 'ノンス', 'é', '😀', ',', '\\', ':', '/'];
const SEPARATORS = [';', '; ', ';\t', ' ; ', ';;', '; ;', `;${NBSP}`];

function generate(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const pieces = (xs: readonly string[], max: number) => Array.from({ length: Math.floor(rand() * (max + 1)) }, () => pick(xs)).join('');
  const pairs: string[] = [];
  const n = Math.floor(rand() * 7);
  for (let i = 0; i < n; i++) {
    const name = rand() < 0.5 ? pick(NAME_PIECES.slice(0, 7)) : pieces(NAME_PIECES, 3);
    let value = rand() < 0.3 ? pick(VALUE_PIECES) : pieces(VALUE_PIECES, 4);
    if (rand() < 0.15) value = `"${value}"`;
    const r = rand();
    // Sometimes no `=` at all, sometimes whitespace around it.
    pairs.push(r < 0.1 ? name : r < 0.2 ? `${name} = ${value}` : r < 0.25 ? `${name}=\t${value}\t` : `${name}=${value}`);
  }
  let header = '';
  pairs.forEach((p, i) => (header += (i === 0 ? '' : pick(SEPARATORS)) + p));
  if (rand() < 0.1) header = ` ${header};`;
  return header;
}

const CASES = 5000;
const headers = (() => {
  const rand = prng(0x6d796e61); // "myna"
  return Array.from({ length: CASES }, () => generate(rand));
})();

test(`GIVEN ${CASES} generated Cookie headers WHEN parsed by the proxy and by the reference THEN they agree once the documented differences are normalised`, () => {
  const mismatches: { header: string; proxy: Record<string, string>; reference: Record<string, string> }[] = [];
  for (const header of headers) {
    const proxy = parseCookies(header);
    const ref = reference(header);
    const sorted = (o: Record<string, string>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (JSON.stringify(sorted(proxy)) !== JSON.stringify(sorted(ref))) mismatches.push({ header: JSON.stringify(header), proxy, reference: ref });
  }
  expect(mismatches.slice(0, 5)).toEqual([]);
});

test('the generated headers reach the tricky cases (else the agreement above would prove little)', () => {
  const count = (p: (h: string, parsed: Record<string, string>) => boolean) => headers.filter((h) => p(h, parseCookies(h))).length;
  const stats = {
    hostCookieParsed: count((_, c) => '__Host-myna_tx' in c),
    nbspBeforeHostName: count((h) => h.includes(`${NBSP}__Host-`)),
    duplicateValidName: count((h) => {
      const names = h.split(';').filter((p) => p.includes('=')).map((p) => p.slice(0, p.indexOf('=')).replace(/^[ \t]+|[ \t]+$/g, '')).filter((n) => TOKEN.test(n));
      return new Set(names).size < names.length;
    }),
    quotedValueParsed: count((h, c) => Object.keys(c).some((k) => h.includes(`${k}="`))),
    percentInParsedValue: count((_, c) => Object.values(c).some((v) => /%[0-9A-F]{2}/.test(v))),
    equalsInParsedValue: count((_, c) => Object.values(c).some((v) => v.includes('='))),
    emptyName: count((h) => /(^|;)[ \t]*=/.test(h)),
    semicolonWithoutSpace: count((h) => /;[^ \t;]/.test(h)),
    tabs: count((h) => h.includes('\t')),
    nonAscii: count((h) => /[^\u0020-\u007e\t]/.test(h)),
    prototypeNames: count((_, c) => Object.hasOwn(c, '__proto__') || Object.hasOwn(c, 'constructor')),
  };
  for (const [name, n] of Object.entries(stats)) expect([name, n >= 50]).toEqual([name, true]);
});
