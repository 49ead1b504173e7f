/** The deploy-time wait for a verified SES identity, and its handler against the real SESv2 client. */
import { GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambdas/ses-identity-wait/handler';
import { waitForVerifiedIdentity, type IdentityStatus } from '../../../lambdas/ses-identity-wait/wait';

/** A clock that sleeping advances, and SES answers in sequence. */
function scenario(answers: Array<IdentityStatus | undefined>, budgetMs: number) {
  let now = 0;
  const asked: string[] = [];
  return {
    asked,
    options: {
      identity: 'example.co.jp',
      region: 'ap-northeast-1',
      stack: 'MynaIdp-example',
      identityStack: 'MynaIdp-example-mail',
      statusOf: async (id: string) => {
        asked.push(id);
        return answers.length > 1 ? answers.shift() : answers[0];
      },
      remainingMs: () => budgetMs - now,
      intervalMs: 20_000,
      sleep: async (ms: number) => void (now += ms),
    },
  };
}

describe('waitForVerifiedIdentity', () => {
  test('returns once SES says the identity may send', async () => {
    const s = scenario([{ verifiedForSending: false, dkimStatus: 'PENDING' }, { verifiedForSending: false, dkimStatus: 'PENDING' }, { verifiedForSending: true, dkimStatus: 'SUCCESS' }], 600_000);
    await expect(waitForVerifiedIdentity(s.options)).resolves.toBeUndefined();
    expect(s.asked).toHaveLength(3);
  });

  test('gives up before its time runs out, saying what to do', async () => {
    const s = scenario([{ verifiedForSending: false, dkimStatus: 'PENDING' }], 600_000);
    await expect(waitForVerifiedIdentity(s.options)).rejects.toThrow(
      'The SES identity example.co.jp in ap-northeast-1 is not verified for sending after 10 minutes (DKIM status PENDING); Cognito refuses an unverified identity. ' +
        'The identity stays in stack MynaIdp-example-mail. Publish its DKIM records if they are not in Route 53, wait until ' +
        '`aws sesv2 get-email-identity --email-identity example.co.jp --region ap-northeast-1` shows VerifiedForSendingStatus true (DNS can take up to 72 hours), then deploy MynaIdp-example again.',
    );
    expect(s.asked.length).toBeLessThanOrEqual(31);
  });

  test('a failed DKIM verification stops the wait at once', async () => {
    const s = scenario([{ verifiedForSending: false, dkimStatus: 'FAILED' }], 600_000);
    await expect(waitForVerifiedIdentity(s.options)).rejects.toThrow(/after 0 minutes \(DKIM status FAILED\)/);
    expect(s.asked).toHaveLength(1);
  });

  test('a missing identity is named', async () => {
    const s = scenario([undefined], 40_000);
    await expect(waitForVerifiedIdentity(s.options)).rejects.toThrow('The SES identity example.co.jp does not exist in ap-northeast-1. Create and verify it (or set email.identity.create: true), then deploy MynaIdp-example again.');
  });
});

describe('the custom resource handler', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());
  afterAll(() => ses.restore());
  const event = (RequestType: 'Create' | 'Delete') =>
    ({ RequestType, PhysicalResourceId: 'x', ResourceProperties: { ServiceToken: 't', Identity: 'example.co.jp', Region: 'ap-northeast-1', Stack: 'MynaIdp-example' } }) as unknown as CloudFormationCustomResourceEvent;
  const context = { getRemainingTimeInMillis: () => 31_000 } as Context;

  test('create succeeds when the identity is verified', async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'example.co.jp' }).resolves({ VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS' } });
    await expect(handler(event('Create'), context)).resolves.toEqual({ PhysicalResourceId: 'ses-identity-verified:ap-northeast-1:example.co.jp' });
  });

  test('create fails with the message when SES does not know the identity', async () => {
    ses.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    await expect(handler(event('Create'), context)).rejects.toThrow(/does not exist in ap-northeast-1/);
  });

  test('delete asks SES nothing', async () => {
    await expect(handler(event('Delete'), context)).resolves.toEqual({ PhysicalResourceId: 'ses-identity-verified:ap-northeast-1:example.co.jp' });
    expect(ses.calls()).toHaveLength(0);
  });
});
