/** The proxy's cookies (lambdas/federation-proxy/web/http.ts): RFC 6265 parsing and the __Host-/__Secure- rules when setting them. */
import { deleteCookie, parseCookies, setCookie } from '../../../lambdas/federation-proxy/web/http';

const options = { maxAge: 600, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' as const };

test('a Set-Cookie value with every attribute, and its deletion', () => {
  expect(setCookie('__Host-myna_tx', 'abc_-.123', options)).toBe('__Host-myna_tx=abc_-.123; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax');
  expect(deleteCookie('__Host-myna_tx', options)).toBe('__Host-myna_tx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
});

test('the prefixes’ rules and the RFC’s characters are enforced', () => {
  expect(() => setCookie('__Host-x', 'v', { ...options, secure: false })).toThrow('__Host-x needs Secure');
  expect(() => setCookie('__Secure-x', 'v', { ...options, secure: false })).toThrow('__Secure-x needs Secure');
  expect(() => setCookie('__Host-x', 'v', { ...options, path: '/callback' })).toThrow('__Host-x needs Path=/');
  expect(() => setCookie('a b', 'v', options)).toThrow('invalid cookie name or value');
  expect(() => setCookie('a', 'v;Domain=evil', options)).toThrow('invalid cookie name or value');
});

test('parsing: the first of a name wins, quotes go, spaces and tabs only are trimmed', () => {
  expect(parseCookies('__Host-myna_tx=first; other="q=1"; __Host-myna_tx=second;\tt=\tv ')).toEqual({ '__Host-myna_tx': 'first', other: 'q=1', t: 'v' });
  // A name with a no-break space (which a sibling host may set) is not the __Host- cookie.
  expect(parseCookies('\u00a0__Host-myna_tx=forged; __Host-myna_tx=real')).toEqual({ '__Host-myna_tx': 'real' });
  expect(parseCookies('constructor=1; =nameless; novalue').constructor).toBe('1');
});
