/**
 * Custom resource (CDK Provider framework): writes which verified claims each app client
 * receives (`config#clients`) into the card records table, where the pre token generation
 * trigger reads it. Deploy-time only; the item is removed with the resource.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AwsJsonClient, lambdaCredentials } from '../shared/aws-json';

interface Properties {
  TableName: string;
  /** JSON: client id → claim names. */
  Clients: string;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  const ddb = new AwsJsonClient({ service: 'dynamodb', region: process.env.AWS_REGION ?? '', credentials: lambdaCredentials, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, jsonVersion: '1.0', timeoutMs: 10_000 });
  const key = { pk: { S: 'config#clients' } };
  if (event.RequestType === 'Delete') {
    await ddb.call('DynamoDB_20120810.DeleteItem', { TableName: p.TableName, Key: key });
  } else {
    const clients = JSON.parse(p.Clients) as Record<string, string[]>;
    await ddb.call('DynamoDB_20120810.PutItem', { TableName: p.TableName, Item: { ...key, clients: { S: JSON.stringify(clients) } } });
  }
  return { PhysicalResourceId: `${p.TableName}/config#clients` };
}
