import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag (AwsSolutions) finding on one construct, with the reason kept next
 * to the resource it concerns. Findings are acknowledged one by one, never wholesale.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}
