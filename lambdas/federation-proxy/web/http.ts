/**
 * The smallest HTTP layer the proxy needs, on the Fetch API: an app is a function from Request
 * to Response, so the same code serves Lambda (see function-url.ts) and localhost (any Fetch
 * server, e.g. @hono/node-server's `serve`). Cookies are parsed and serialized here (RFC 6265):
 * the proxy has two cookies of fixed form.
 *
 * Written here rather than with the hono framework (router, context, middleware, event
 * adapters): the proxy has a fixed set of routes. What hono and its cookie utilities would cost
 * the proxy's bundle: docs/proxy-bundle.md.
 */

export interface HttpRequest {
  readonly raw: Request;
  readonly url: URL;
  readonly method: string;
  /** What the adapter passes along (the Lambda event, or nothing locally). */
  readonly env: unknown;
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  /** The body as text, or a BodyTooLargeError beyond the app's limit. */
  text(): Promise<string>;
}

export type Route = (req: HttpRequest) => Promise<Response> | Response;
export type FetchApp = (request: Request, env?: unknown) => Promise<Response>;

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
    this.name = 'BodyTooLargeError';
  }
}

export interface AppOptions {
  readonly routes: Readonly<Record<string, Route>>;
  /** Headers set on every response (unless the route set them). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  /** Runs before every route (a readiness check, an admission check): a Response it returns is the answer; a throw goes to onError. */
  readonly before?: (req: HttpRequest) => Promise<Response | undefined>;
  readonly notFound: (req: HttpRequest) => Response;
  readonly onError: (error: Error, req: HttpRequest) => Promise<Response> | Response;
}

/** Routes are keyed `GET /path`. */
export function createApp(o: AppOptions): FetchApp {
  return async (raw, env) => {
    const url = new URL(raw.url);
    let cookies: Record<string, string> | undefined;
    const req: HttpRequest = {
      raw,
      url,
      method: raw.method,
      env,
      header: (name) => raw.headers.get(name) ?? undefined,
      cookie: (name) => (cookies ??= parseCookies(raw.headers.get('cookie') ?? ''))[name],
      text: async () => {
        if (Number(raw.headers.get('content-length') ?? 0) > o.maxBodyBytes) throw new BodyTooLargeError();
        const text = await raw.text();
        if (Buffer.byteLength(text) > o.maxBodyBytes) throw new BodyTooLargeError();
        return text;
      },
    };
    let res: Response;
    try {
      const early = await o.before?.(req);
      const route = o.routes[`${raw.method === 'HEAD' ? 'GET' : raw.method} ${url.pathname}`];
      res = early ?? (route ? await route(req) : o.notFound(req));
    } catch (e) {
      res = await o.onError(e instanceof Error ? e : new Error(String(e)), req);
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) if (!res.headers.has(k)) res.headers.set(k, v);
    return res;
  };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const html = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/html; charset=UTF-8', ...headers } });

export function redirect(location: string, headers: Record<string, string> = {}, cookies: readonly string[] = []): Response {
  const h = new Headers({ location, 'cache-control': 'no-store', ...headers });
  for (const c of cookies) h.append('set-cookie', c);
  return new Response(null, { status: 302, headers: h });
}

export interface CookieOptions {
  readonly maxAge: number;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'Lax' | 'Strict';
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/**
 * A Set-Cookie value (RFC 6265 section 4.1), with the prefix rules of RFC 6265bis section 4.1.3:
 * `__Secure-` needs Secure, `__Host-` also Path=/ (and never a Domain, which this never sets).
 * Names and values outside the RFC's characters are refused, not encoded: the proxy's are a
 * fixed name and a sealed base64url value. (hono's serializer did this: docs/proxy-bundle.md.)
 */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  if (!COOKIE_NAME.test(name) || !COOKIE_VALUE.test(value)) throw new TypeError('invalid cookie name or value');
  if ((name.startsWith('__Secure-') || name.startsWith('__Host-')) && !o.secure) throw new TypeError(`${name} needs Secure`);
  if (name.startsWith('__Host-') && o.path !== '/') throw new TypeError(`${name} needs Path=/`);
  return `${name}=${value}; Max-Age=${Math.floor(o.maxAge)}; Path=${o.path}${o.httpOnly ? '; HttpOnly' : ''}${o.secure ? '; Secure' : ''}; SameSite=${o.sameSite}`;
}
export const deleteCookie = (name: string, o: Omit<CookieOptions, 'maxAge'>) => setCookie(name, '', { ...o, maxAge: 0 });

/** The cookies of a Cookie header (RFC 6265 section 5.4): the first of a name wins; quoted values lose their quotes. */
export function parseCookies(header: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  // Only spaces and tabs are trimmed (RFC 6265 section 5.2): String.trim would also strip U+00A0,
  // so a cookie named "\u00a0__Host-…" set by a sibling host would pass for the __Host- one.
  const trim = (v: string) => v.replace(/^[ \t]+|[ \t]+$/g, '');
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = trim(part.slice(0, i));
    let value = trim(part.slice(i + 1));
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !(name in out) && COOKIE_NAME.test(name)) out[name] = value;
  }
  return out;
}
