/** The sign-in at the OP (/interaction/<uid>): the test response settings page, and the person or abnormal result picked on it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { ABNORMAL, testResponsePage } from './pages';
import type { EmulatorState } from './state';

export async function interaction(s: EmulatorState, provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const params = details.params as Record<string, string>;
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(testResponsePage(uid, s.persons, params.client_id ?? '', params.scope ?? ''));
    return;
  }
  const choice = new URLSearchParams(await readBody(req)).get('choice') ?? '';
  if (choice.startsWith('error:')) {
    const code = choice.slice('error:'.length);
    const known = ABNORMAL.find(([c]) => c === code);
    await provider.interactionFinished(req, res, { error: known ? code : 'server_error', error_description: `test response: ${known ? code : 'unknown'}` }, { mergeWithLastSubmission: false });
    return;
  }
  const person = s.persons.find((p) => `person:${p.id}` === choice);
  if (!person) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('choose a test person or an abnormal result');
    return;
  }
  const grant = new provider.Grant({ accountId: person.id, clientId: params.client_id! });
  grant.addOIDCScope(String(params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: person.id, acr: 'aal3', amr: ['hwk'] }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
