/**
 * A minimal browser for protocol tests: follows redirects one by one and keeps cookies
 * (RFC 6265: by host name, not port; path-scoped), so that a sign-in crosses the proxy and
 * the OP as it would in a real browser.
 */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
}

interface Cookie { name: string; value: string; host: string; path: string; expires?: number }

export class Browser {
  private cookies: Cookie[] = [];
  readonly hops: Hop[] = [];

  private cookieHeader(url: URL): string {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter((c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/'))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expires: number | undefined;
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (k?.toLowerCase() === 'path' && v) path = v;
        if (k?.toLowerCase() === 'max-age' && v) expires = Date.now() + Number(v) * 1000;
        if (k?.toLowerCase() === 'expires' && v && expires === undefined) expires = Date.parse(v);
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.host === url.hostname && c.path === path));
      if (expires === undefined || expires > Date.now()) this.cookies.push({ name, value, host: url.hostname, path, expires });
    }
  }

  /** The names of the cookies this browser would send to `url`. */
  cookieNames(url: URL): string[] {
    return this.cookieHeader(url).split('; ').filter(Boolean).map((c) => c.slice(0, c.indexOf('=')));
  }

  /** One request, no redirect followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(u);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    this.store(u, res);
    const location = res.headers.get('location') ?? undefined;
    this.hops.push({ url, status: res.status, location: location ? new URL(location, u).toString() : undefined });
    return res;
  }

  /**
   * GETs `url` and follows redirects until `stop(url)` says so (the URL is returned without
   * being requested) or a page is reached (returned with its response).
   */
  async follow(url: string, stop: (url: string) => boolean, limit = 20): Promise<{ url: string; response?: Response }> {
    let current = url;
    for (let i = 0; i < limit; i++) {
      if (stop(current)) return { url: current };
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        current = new URL(location, current).toString();
        continue;
      }
      return { url: current, response: res };
    }
    throw new Error(`more than ${limit} redirects from ${url}`);
  }
}

/** The choice on the OP's test-response page: a test person's id, or an abnormal result. */
export type TestChoice = { person: string } | { error: 'access_denied' | 'server_error' | 'temporarily_unavailable' };

/**
 * Starts a sign-in at `authorizationUrl`, answers the OP's test-response page with `choice`,
 * and follows redirects until `isEnd(url)`: returns that URL (not requested).
 */
export async function signInThroughTestPage(browser: Browser, authorizationUrl: string, choice: TestChoice, isEnd: (url: string) => boolean): Promise<URL> {
  const page = await browser.follow(authorizationUrl, isEnd);
  if (!page.response) return new URL(page.url);
  const html = await page.response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (page.response.status !== 200 || !action) throw new Error(`expected the OP's test-response page at ${page.url}, got HTTP ${page.response.status}: ${html.slice(0, 300)}`);
  const value = 'person' in choice ? `person:${choice.person}` : `error:${choice.error}`;
  const posted = await browser.request(new URL(action, page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ choice: value }),
  });
  const next = posted.headers.get('location');
  if (!next) throw new Error(`the test-response page did not redirect (HTTP ${posted.status}): ${(await posted.text()).slice(0, 300)}`);
  const end = await browser.follow(new URL(next, page.url).toString(), isEnd);
  if (end.response) throw new Error(`the sign-in stopped at ${end.url} (HTTP ${end.response.status}): ${(await end.response.text()).slice(0, 300)}`);
  return new URL(end.url);
}
