/** The stand-in's root page and the scripts of the managed login pages. */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { page } from '../http';
import { errorPage } from '../pages';
import type { StandInState } from '../state';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static');
const require = createRequire(import.meta.url);
// @simplewebauthn/browser's browser bundle (its package exports do not name the file).
const WEBAUTHN_BROWSER = (() => {
  let dir = path.dirname(require.resolve('@simplewebauthn/browser'));
  while (!fs.existsSync(path.join(dir, 'dist', 'bundle'))) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'bundle', 'index.umd.min.js');
})();

export function homeRoutes(app: Hono, s: StandInState): void {
  app.get('/', (c) =>
    page(c, errorPage({ poolName: s.pool.name, error: 'not_found', description: 'Start a sign-in from an app: /oauth2/authorize. The local mailbox: /mailbox.' }).replace('エラーが発生しました', 'Amazon Cognito stand-in'), 200),
  );
  app.get('/static/webauthn.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(fs.readFileSync(WEBAUTHN_BROWSER, 'utf8'));
  });
  app.get('/static/login.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(fs.readFileSync(path.join(STATIC_DIR, 'login.js'), 'utf8'));
  });
}
