/** Serves the sample app on localhost (@hono/node-server); `close()` ends it and its connections. */
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

export async function serveSampleApp(app: Hono, port: number, host = '127.0.0.1'): Promise<{ close(): Promise<void> }> {
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: the sample app listens where the app client's callback URL points (stop what uses it, or change the app client's callback URL in the tenant file)`) : e));
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
