/**
 * Custom resource (CDK Provider framework): writes which verified claims each app client
 * receives (`config#clients`) into the card records table, where the pre token generation
 * trigger reads it. Deploy-time only; the item is removed with the resource. The runtime's AWS
 * SDK client retries throttling and server errors itself (docs/aws-client-facts.md §5).
 */
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

interface Properties {
  TableName: string;
  /** JSON: client id → claim names. */
  Clients: string;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  // Region, credentials and endpoint (AWS_ENDPOINT_URL_DYNAMODB in tests) from the environment;
  // each attempt bounded (a breach is an error, not only a warning: throwOnRequestTimeout).
  const ddb = new DynamoDBClient({ requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } });
  const key = { pk: { S: 'config#clients' } };
  if (event.RequestType === 'Delete') {
    await ddb.send(new DeleteItemCommand({ TableName: p.TableName, Key: key }));
  } else {
    const clients = JSON.parse(p.Clients) as Record<string, string[]>;
    await ddb.send(new PutItemCommand({ TableName: p.TableName, Item: { ...key, clients: { S: JSON.stringify(clients) } } }));
  }
  return { PhysicalResourceId: `${p.TableName}/config#clients` };
}
