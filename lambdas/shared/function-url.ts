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
    const headers = new Headers();
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers.set(k, v);
    if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
    const hasBody = event.body !== undefined && method !== 'GET' && method !== 'HEAD';
    const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body) : undefined;
    const res = await app(new Request(url, { method, headers, body }), { event });
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k !== 'set-cookie') out[k] = v;
    });
    return { statusCode: res.status, headers: out, cookies: res.headers.getSetCookie(), body: method === 'HEAD' ? '' : await res.text(), isBase64Encoded: false };
  };
}
