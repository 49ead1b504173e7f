import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Charset, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The entry file of a function under `lambdas/`. */
export const lambdaEntry = (...parts: string[]) => path.join(here, '..', '..', 'lambdas', ...parts);

/**
 * How every function is bundled: minified ESM, with the runtime's AWS SDK v3 left external.
 * Sizes, and the proxy's budget that a test holds: docs/proxy-bundle.md.
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  // Japanese text as UTF-8, not as \u escapes. aws-cdk-lib 2.276 declares `charset` but never
  // passes it to esbuild (aws-lambda-nodejs/lib/bundling.js, buildEsbuildArgs: no --charset;
  // https://github.com/aws/aws-cdk/issues/32649, open), so the flag is given through
  // `esbuildArgs`, which are appended after the built-in ones. `charset` stays for the day it
  // is passed again: esbuild takes a repeated flag without complaint. test/cdk/bundles.test.ts
  // fails if the text is escaped again.
  charset: Charset.UTF8,
  esbuildArgs: { '--charset': 'utf8' },
  // Warnings and errors only: not esbuild's size summary for every function on every synth.
  logLevel: LogLevel.WARNING,
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
  /**
   * Bundle the AWS SDK clients the function imports instead of using the runtime's, whose
   * version Lambda pins and which can lag a new API member (docs/aws-client-facts.md). For a
   * function nobody waits on that calls an API newer than the runtime's SDK. Default: false.
   */
  readonly bundleAwsSdk?: boolean;
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
      bundling: props.bundleAwsSdk ? { ...BUNDLING, externalModules: [] } : BUNDLING,
    });
    acknowledge(this.fn, 'AwsSolutions-L1', 'Node.js 22 is the runtime the project builds and tests its Lambdas for (README, What the tests need); a runtime change is a deliberate upgrade.');
  }
}
