/** How the stand-in answers a browser: its pages with their headers, errors, and form bodies. */
import type { Context } from 'hono';
import { errorPage, LOGIN_CSP } from './pages';
import type { StandInState } from './state';

export class OAuthError extends Error {
  constructor(readonly error: string, readonly description: string, readonly status = 400) {
    super(description);
  }
}

export function page(c: Context, html: string, status = 200) {
  c.header('content-security-policy', LOGIN_CSP);
  c.header('cache-control', 'no-store');
  // same-origin: the pages' own form posts carry their Origin (no-referrer would make it "null"); nothing leaks to other sites.
  c.header('referrer-policy', 'same-origin');
  return c.html(html, status as 200);
}

export const showError = (s: StandInState, c: Context, error: string, description: string, status = 400) => page(c, errorPage({ poolName: s.pool.name, error, description }), status);

export async function form(c: Context): Promise<Record<string, string>> {
  try {
    return Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
  } catch {
    throw new OAuthError('invalid_request', 'The request body is not a valid form');
  }
}
