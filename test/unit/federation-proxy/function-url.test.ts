/**
 * The function-URL adapter (lambdas/federation-proxy/web/function-url.ts): a Lambda function URL
 * event (payload format 2.0, the shape AWS documents under "Request payload format" in
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html) becomes a Request for the
 * proxy's Fetch app, and the app's Response becomes the function URL's result. No server: the
 * handler is called with the event, as Lambda calls it.
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { functionUrlHandler } from '../../../lambdas/federation-proxy/web/function-url';
import { createApp, html, redirect, type FetchApp, type Route } from '../../../lambdas/federation-proxy/web/http';

/** An event as AWS documents it; `over` changes what a test is about. */
function event(over: Partial<LambdaFunctionURLEvent> & { method?: string } = {}): LambdaFunctionURLEvent {
  const { method = 'GET', ...rest } = over;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/callback',
    rawQueryString: 'code=op-code&state=s1',
    headers: { host: 'abcdefg.lambda-url.ap-northeast-1.on.aws', 'user-agent': 'agent', 'x-forwarded-proto': 'https' },
    queryStringParameters: { code: 'op-code', state: 's1' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefg',
      domainName: 'abcdefg.lambda-url.ap-northeast-1.on.aws',
      domainPrefix: 'abcdefg',
      http: { method, path: rest.rawPath ?? '/callback', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'agent' },
      requestId: 'id',
      routeKey: '$default',
      stage: '$default',
      time: '12/Mar/2026:19:03:58 +0000',
      timeEpoch: 1773342238000,
    },
    isBase64Encoded: false,
    ...rest,
  };
}

/** The proxy's own app layer (http.ts) with the given routes, so the request goes where the proxy's would. */
const appWith = (routes: Record<string, Route>): FetchApp =>
  createApp({
    routes,
    maxBodyBytes: 1024,
    notFound: () => new Response('not found', { status: 404 }),
    onError: (e) => new Response(`error: ${e.message}`, { status: 500 }),
  });

describe('functionUrlHandler', () => {
  test('GIVEN the cookies in the event’s cookies array (not in its headers) WHEN handled THEN the app reads them from one Cookie header', async () => {
    const seen: { cookieHeader?: string | undefined; tx?: string | undefined; other?: string | undefined } = {};
    const handler = functionUrlHandler(
      appWith({
        'GET /callback': (req) => {
          seen.cookieHeader = req.header('cookie');
          seen.tx = req.cookie('__Host-myna_tx');
          seen.other = req.cookie('other');
          return new Response('ok');
        },
      }),
    );
    const result = await handler(event({ cookies: ['__Host-myna_tx=kid.iv.ct.tag', 'other=1'] }));
    expect(result.statusCode).toBe(200);
    expect(seen).toEqual({ cookieHeader: '__Host-myna_tx=kid.iv.ct.tag; other=1', tx: 'kid.iv.ct.tag', other: '1' });
  });

  test('GIVEN a cookie of another host with non-Latin-1 characters (a sibling host’s, say) WHEN handled THEN the proxy’s own cookie still reaches the app', async () => {
    // A browser sends such a cookie as UTF-8 octets and Lambda hands them on as characters above
    // U+00FF, which the Fetch API's Headers refuse: without care every request would be a 400.
    let tx: string | undefined;
    const handler = functionUrlHandler(
      appWith({
        'GET /callback': (req) => {
          tx = req.cookie('__Host-myna_tx');
          return new Response('ok');
        },
      }),
    );
    const result = await handler(event({ cookies: ['pref=日本語', '\u00a0__Host-myna_tx=forged', '__Host-myna_tx=kid.iv.ct.tag'] }));
    expect(result.statusCode).toBe(200);
    expect(tx).toBe('kid.iv.ct.tag');
  });

  test('GIVEN a base64-encoded body (isBase64Encoded) WHEN handled THEN the app reads the decoded text, UTF-8 included', async () => {
    const form = 'grant_type=authorization_code&code=op-code&note=ノンス';
    let received: string | undefined;
    const handler = functionUrlHandler(
      appWith({
        'POST /token': async (req) => {
          received = await req.text();
          return new Response('ok');
        },
      }),
    );
    const result = await handler(
      event({
        method: 'POST',
        rawPath: '/token',
        rawQueryString: '',
        // content-length is the decoded body's, as the client sent it, not the base64 text's.
        headers: { host: 'abcdefg.lambda-url.ap-northeast-1.on.aws', 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(form)) },
        body: Buffer.from(form, 'utf8').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(received).toBe(form);
  });

  test('GIVEN a HEAD request WHEN handled THEN the GET route answers with its headers and no body', async () => {
    const handler = functionUrlHandler(appWith({ 'GET /callback': () => html('<p>a page</p>', 200, { 'cache-control': 'no-store' }) }));
    const result = await handler(event({ method: 'HEAD' }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    expect(result.headers).toMatchObject({ 'content-type': 'text/html; charset=UTF-8', 'cache-control': 'no-store' });
    // The same route on GET has the body, so the empty one above is the adapter's doing.
    expect((await handler(event())).body).toBe('<p>a page</p>');
  });

  test('GIVEN a response with two Set-Cookie headers WHEN handled THEN both go out in the cookies array, in order, and not in the headers', async () => {
    const handler = functionUrlHandler(
      appWith({
        'GET /callback': () =>
          redirect('https://rp.example/cb?code=c', {}, ['__Host-myna_tx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax', '__Host-myna_link=v; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax']),
      }),
    );
    const result = await handler(event());
    expect(result.statusCode).toBe(302);
    expect(result.cookies).toEqual(['__Host-myna_tx=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax', '__Host-myna_link=v; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax']);
    expect(result.headers).toEqual({ location: 'https://rp.example/cb?code=c', 'cache-control': 'no-store' });
    expect(result.isBase64Encoded).toBe(false);
  });
});
