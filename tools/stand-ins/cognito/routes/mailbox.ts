/** The local mailbox: the pool's mail, as a page and as JSON (for tests). */
import type { Hono } from 'hono';
import { page } from '../http';
import { mailboxPage } from '../pages';
import type { StandInState } from '../state';

export function mailboxRoutes(app: Hono, s: StandInState): void {
  app.get('/mailbox', (c) => page(c, mailboxPage({ poolName: s.pool.name, messages: s.mailbox })));
  app.get('/mailbox.json', (c) => c.json(s.mailbox));
}
