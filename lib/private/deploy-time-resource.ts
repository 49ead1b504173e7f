import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { NodeFunction } from './node-function';

export interface DeployTimeResourceProps {
  /** The handler (`lambdaEntry(...)`): gets CloudFormation's event, returns `{ PhysicalResourceId }`. */
  readonly entry: string;
  readonly description: string;
  /** `Custom::<Name>`. */
  readonly resourceType: string;
  readonly properties: Record<string, string>;
  /** Exactly what the handler calls. */
  readonly statements: readonly iam.PolicyStatement[];
  /** Default: 1 minute. */
  readonly timeout?: Duration;
  /** Bundle the AWS SDK clients the handler imports (NodeFunctionProps.bundleAwsSdk). Default: false. */
  readonly bundleAwsSdk?: boolean;
}

/**
 * A custom resource backed by one of our handlers through the CDK Provider framework (which
 * answers CloudFormation and reports a thrown error's message as the failure reason).
 */
export class DeployTimeResource extends Construct {
  readonly resource: CustomResource;
  /** The handler's role (for grants on keys the handler uses). */
  readonly handlerRole: iam.Role;

  constructor(scope: Construct, id: string, props: DeployTimeResourceProps) {
    super(scope, id);
    const handler = new NodeFunction(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      timeout: props.timeout ?? Duration.minutes(1),
      bundleAwsSdk: props.bundleAwsSdk,
    });
    this.handlerRole = handler.role;
    for (const s of props.statements) handler.role.addToPolicy(s);
    const provider = new Provider(this, 'Provider', { onEventHandler: handler.fn });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: props.resourceType,
      properties: props.properties,
    });

    const stack = Stack.of(this);
    const framework = provider.node.findChild('framework-onEvent');
    acknowledge(framework, 'AwsSolutions-L1', 'The CDK Provider framework picks its own Node.js runtime; it only relays CloudFormation events to our handler.');
    acknowledge(
      framework,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The Provider framework function only writes its own logs; the basic execution policy grants exactly that.',
    );
    acknowledge(
      framework,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(handler.fn.node.defaultChild as never)}.Arn>:*]`,
      'The Provider framework may invoke any version of our one handler function; the wildcard covers its versions only.',
    );
  }
}
