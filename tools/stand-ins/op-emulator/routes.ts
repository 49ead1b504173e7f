/**
 * The emulator's HTTP routes: the realm (oidc-provider, below /api/realms/main), the sign-in
 * interaction, the emulator's own root page, and the end of a browser's OP session.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { OP_REALM_PATH } from '../../../lib/config/jpki';
import { interaction } from './interaction';
import { rootPage, SWITCH_PERSON_PATH } from './pages';
import { sessionOf, type EmulatorState } from './state';

export function requestHandler(s: EmulatorState, provider: Provider): (req: IncomingMessage, res: ServerResponse) => void {
  const callback = provider.callback();
  return (req, res) => {
    const url = req.url ?? '/';
    const m = /^\/interaction\/([A-Za-z0-9_-]{1,64})$/.exec(url.split('?')[0] ?? '');
    if (m) {
      interaction(s, provider, req, res, m[1]!).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`interaction failed: ${e.message}`);
      });
      return;
    }
    if (url === OP_REALM_PATH || url.startsWith(`${OP_REALM_PATH}/`) || url.startsWith(`${OP_REALM_PATH}?`)) {
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(OP_REALM_PATH.length) || '/';
      void callback(req, res);
      return;
    }
    const pathname = url.split('?')[0];
    if (pathname === '/' && req.method === 'GET') {
      const session = sessionOf(s, req);
      const person = session?.accountId ? s.persons.find((p) => p.id === session.accountId) : undefined;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(rootPage(s.issuer, person));
      return;
    }
    if (pathname === SWITCH_PERSON_PATH && req.method === 'POST') {
      // Ends this browser's OP session: the next sign-in shows the test-response page again.
      const session = sessionOf(s, req);
      if (session) s.store.delete(`Session:${session.id}`);
      res.writeHead(303, { location: '/', 'cache-control': 'no-store' });
      res.end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(rootPage(s.issuer, undefined, 404));
  };
}
