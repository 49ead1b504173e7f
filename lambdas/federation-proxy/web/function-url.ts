/**
 * A Fetch app behind a Lambda function URL (payload format 2.0): the event becomes a Request,
 * the Response becomes the result the function URL returns. Cookies travel in `cookies` both
 * ways, as the format has them. Text bodies only (the proxy serves nothing binary).
 */
import type { FetchApp } from './http';

export interface FunctionUrlEvent {
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { domainName: string; http: { method: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  isBase64Encoded: false;
}

export function functionUrlHandler(app: FetchApp) {
  return async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const { method } = event.requestContext.http;
    const url = `https://${event.requestContext.domainName}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    let request: Request;
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers.set(k, v);
      // The Cookie header as octets, one character each (a ByteString, as Node's own HTTP server
      // gives it): a cookie another host of the domain set may hold UTF-8 (user agents keep such
      // values, RFC 6265 section 5.2), and as characters above U+00FF it would make Headers refuse
      // every request that carries it. ASCII, and so every token name and its value, is unchanged.
      if (event.cookies?.length) headers.set('cookie', Buffer.from(event.cookies.join('; '), 'utf8').toString('latin1'));
      const hasBody = event.body !== undefined && method !== 'GET' && method !== 'HEAD';
      const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body) : undefined;
      request = new Request(url, { method, headers, body });
    } catch {
      // A header value or URL the Fetch API refuses (e.g. characters above U+00FF): the request's
      // fault, answered as such, and its values are not echoed anywhere.
      return { statusCode: 400, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, cookies: [], body: JSON.stringify({ error: 'invalid_request', error_description: 'the request has a malformed header or URL' }), isBase64Encoded: false };
    }
    const res = await app(request, { event });
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k !== 'set-cookie') out[k] = v;
    });
    return { statusCode: res.status, headers: out, cookies: res.headers.getSetCookie(), body: method === 'HEAD' ? '' : await res.text(), isBase64Encoded: false };
  };
}
