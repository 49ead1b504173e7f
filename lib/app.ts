import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadTenants } from './config/loader';
import { TenantStack } from './tenant-stack';

export interface BuildAppOptions {
  /** Folder of tenant files. */
  readonly tenantsDir: string;
  /** Only this tenant (from `-c tenant=<id>`). */
  readonly only?: string;
  /** An existing app to add to (tests); a new one otherwise. */
  readonly app?: App;
}

/** Creates one stack per tenant, with cdk-nag AwsSolutions checks over the whole app. */
export function buildApp(options: BuildAppOptions): { app: App; stacks: TenantStack[] } {
  const app = options.app ?? new App();
  const tenants = loadTenants(options.tenantsDir, options.only);
  const stacks = tenants.map((tenant) => new TenantStack(app, { tenant }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stacks };
}
