/**
 * Custom resource (CDK Provider framework): sets the SNS default sender id of the account and
 * region for the tenant, and restores the previous value when the resource is deleted.
 * Deploy-time only.
 */
import { GetSMSAttributesCommand, SetSMSAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { applySenderId, restoreSenderId, type SmsSettings } from './sender-id';

interface Properties {
  Region: string;
  SenderId: string;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  const client = new SNSClient({ region: p.Region });
  const sns: SmsSettings = {
    get: async (names) => (await client.send(new GetSMSAttributesCommand({ attributes: [...names] }))).attributes ?? {},
    set: async (attributes) => void (await client.send(new SetSMSAttributesCommand({ attributes: attributes as Record<string, string> }))),
  };
  if (event.RequestType === 'Delete') {
    await restoreSenderId(sns, event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const physicalId = event.RequestType === 'Update' ? event.PhysicalResourceId : undefined;
  return { PhysicalResourceId: await applySenderId(sns, p.Region, { DefaultSenderID: p.SenderId, DefaultSMSType: 'Transactional' }, physicalId) };
}
