/**
 * The smallest HTTP layer the proxy needs, on the Fetch API: an app is a function from Request
 * to Response, so the same code serves Lambda (see function-url.ts) and localhost (any Fetch
 * server, e.g. @hono/node-server's `serve`). Cookies are parsed and serialized by hono's cookie
 * utilities.
 *
 * Written here rather than with the hono framework: the proxy has seven fixed routes, and the
 * framework (router, context, middleware, event adapters) was 23 KB of a bundle whose budget
 * is 100 KB, on the path of every cold start a person waits for.
 */
import { parse as parseCookies, serialize as serializeCookie } from 'hono/utils/cookie';

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

/** A Set-Cookie value (hono's serializer, which enforces the __Host- and __Secure- rules). */
export const setCookie = (name: string, value: string, o: CookieOptions) => serializeCookie(name, value, o);
export const deleteCookie = (name: string, o: Omit<CookieOptions, 'maxAge'>) => serializeCookie(name, '', { ...o, maxAge: 0 });
