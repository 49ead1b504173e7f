#!/usr/bin/env node
/** The CDK app: one stack `MynaIdp-<id>` per tenant file. */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { TenantConfigError } from '../lib/config/errors';

const app = new App();
const tenantsDir = (app.node.tryGetContext('tenantsDir') as string | undefined) ?? 'tenants';
const only = app.node.tryGetContext('tenant') as string | undefined;
try {
  buildApp({ app, tenantsDir, only });
  app.synth();
} catch (e) {
  if (!(e instanceof TenantConfigError)) throw e;
  process.stderr.write(`Tenant configuration is invalid:\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
