import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The entry file of a function under `lambdas/`. */
export const lambdaEntry = (...parts: string[]) => path.join(here, '..', '..', 'lambdas', ...parts);

/** How every function is bundled: minified ESM, with the runtime's AWS SDK v3 left external. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  // Japanese text as UTF-8, not as \u escapes (half the bytes).
  charset: Charset.UTF8,
  sourceMap: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
};

export interface NodeFunctionProps {
  /** The handler file (`lambdaEntry(...)`). */
  readonly entry: string;
  readonly description: string;
  /** Default: 30 seconds. */
  readonly timeout?: Duration;
  /** Default: 256 MB. */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** Log retention. Default: one month. */
  readonly logRetention?: logs.RetentionDays;
  /** Of the log group. Default: DESTROY. */
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Every Lambda of the project: Node.js 22 on ARM64, bundled by esbuild as minified ESM with the
 * runtime's AWS SDK v3 left external, its own role (no managed policies) and its own log group.
 */
export class NodeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      bundling: BUNDLING,
    });
    acknowledge(this.fn, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project builds and tests its Lambdas for (README, What the tests need); a runtime change is a deliberate upgrade.');
  }
}
