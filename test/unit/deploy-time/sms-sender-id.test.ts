/** The account-wide SNS sender id: set for the tenant, and what was there before restored on delete. */
import { GetSMSAttributesCommand, SetSMSAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambdas/sms-sender-id/handler';

/** SNS's account settings, as SetSMSAttributes and GetSMSAttributes see them. */
function accountSettings(initial: Record<string, string>) {
  const sns = mockClient(SNSClient);
  const settings = { ...initial };
  sns.on(GetSMSAttributesCommand).callsFake(async (input: { attributes?: string[] }) => ({
    attributes: Object.fromEntries((input.attributes ?? []).filter((k) => k in settings).map((k) => [k, settings[k]!])),
  }));
  sns.on(SetSMSAttributesCommand).callsFake(async (input: { attributes: Record<string, string> }) => {
    for (const [k, v] of Object.entries(input.attributes)) {
      if (v === '') delete settings[k];
      else settings[k] = v;
    }
    return {};
  });
  return { sns, settings };
}

const event = (RequestType: 'Create' | 'Update' | 'Delete', props: { Region?: string; SenderId?: string } = {}, PhysicalResourceId = '') =>
  ({ RequestType, PhysicalResourceId, ResourceProperties: { ServiceToken: 't', Region: 'ap-northeast-1', SenderId: 'ACME', ...props } }) as unknown as CloudFormationCustomResourceEvent;

describe('the sender id custom resource', () => {
  afterEach(() => mockClient(SNSClient).restore());

  test('create sets it, update changes it, delete restores what the account had before', async () => {
    const { settings } = accountSettings({ DefaultSenderID: 'OLDCO', DefaultSMSType: 'Promotional', MonthlySpendLimit: '10' });
    const { PhysicalResourceId: id } = await handler(event('Create'));
    expect(settings).toEqual({ DefaultSenderID: 'ACME', DefaultSMSType: 'Transactional', MonthlySpendLimit: '10' });
    const { PhysicalResourceId: updated } = await handler(event('Update', { SenderId: 'ACME2' }, id));
    expect(updated).toBe(id);
    expect(settings.DefaultSenderID).toBe('ACME2');
    await handler(event('Delete', {}, updated));
    expect(settings).toEqual({ DefaultSenderID: 'OLDCO', DefaultSMSType: 'Promotional', MonthlySpendLimit: '10' });
  });

  test('an account that had no sender id has none again after delete', async () => {
    const { settings } = accountSettings({});
    const { PhysicalResourceId: id } = await handler(event('Create'));
    expect(settings.DefaultSenderID).toBe('ACME');
    await handler(event('Delete', {}, id));
    expect(settings.DefaultSenderID).toBeUndefined();
  });

  test('a move to another region gets a new id (CloudFormation then deletes, and restores, the old region)', async () => {
    accountSettings({ DefaultSenderID: 'OLDCO' });
    const { PhysicalResourceId: id } = await handler(event('Create'));
    const { PhysicalResourceId: moved } = await handler(event('Update', { Region: 'us-west-2' }, id));
    expect(moved).not.toBe(id);
    expect(moved.startsWith('sms-sender-id:us-west-2:')).toBe(true);
  });

  test('delete of an id it did not make changes nothing', async () => {
    const { sns } = accountSettings({ DefaultSenderID: 'OLDCO' });
    await handler(event('Delete', {}, 'something-else'));
    expect(sns.commandCalls(SetSMSAttributesCommand)).toHaveLength(0);
  });
});
