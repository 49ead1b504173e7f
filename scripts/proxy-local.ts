/**
 * `npm run proxy:local -- --tenant <id> [--port 8787] [--redirect-uri <url>]`
 *
 * Serves the federation proxy (the same code as the Lambda) on localhost for a tenant whose
 * `jpki` section names the OP, with keys and secrets generated into .local/<id>/ on first use.
 */
import { TenantConfigError } from '../lib/config/errors';
import { proxyClientIdOf, proxyConfigOf } from '../lib/jpki/proxy-config';
import { localTenantKeys } from '../tools/stand-ins/aws/key-store';
import { startLocalProxy } from '../tools/stand-ins/aws/proxy-server';
import { args, findTenant, runCommand, UsageError } from '../tools/cli/tenant-args';

const usage = 'npm run proxy:local -- --tenant <id> [--port 8787] [--redirect-uri <url>]';

await runCommand(async () => {
  const a = args({ tenant: { type: 'string' }, port: { type: 'string', default: '8787' }, 'redirect-uri': { type: 'string' } }, usage);
  if (!a.tenant) throw new UsageError(`--tenant is required\nusage: ${usage}`);
  const port = Number(a.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number, not ${a.port}`);
  const { file, config: tenant } = findTenant(a.tenant);
  const jpki = tenant.jpki;
  if (!jpki) throw new TenantConfigError([`${file}: jpki: required to run the federation proxy`]);
  const keys = await localTenantKeys(tenant.id, jpki.clientAssertion.algorithm);
  const config = proxyConfigOf({ ...tenant, jpki }, { redirectUri: a['redirect-uri'] });
  const proxy = await startLocalProxy({
    config,
    clientAssertionSigner: keys.clientAssertion,
    tokenSigner: keys.tokenSigning,
    clientSecret: keys.clientSecret,
    sealingSecret: keys.sealingSecret,
    port,
    host: '127.0.0.1',
    publicHost: 'localhost',
    logEvents: true,
  });
  process.stdout.write(
    [
      `federation proxy for tenant ${tenant.id} on ${proxy.origin}`,
      `  OP:                ${config.op.issuer}`,
      `  register at the OP: redirect_uri ${proxy.origin}/callback, public key ${keys.clientJwksFile}`,
      `  Cognito settings:  client_id ${proxyClientIdOf(tenant.id)}, client_secret in .local/${tenant.id}/secrets.json`,
      `                     issuer ${proxy.origin}, authorize ${proxy.origin}/authorize, token ${proxy.origin}/token,`,
      `                     userinfo ${proxy.origin}/userinfo, jwks ${proxy.origin}/jwks`,
      `  returns to:        ${config.cognito.redirectUri}`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await proxy.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
