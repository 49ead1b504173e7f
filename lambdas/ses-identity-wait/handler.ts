/**
 * Custom resource (CDK Provider framework): on create and update, waits until the tenant's SES
 * identity is verified for sending, so that the user pool that uses it is created only then.
 * Deploy-time only: never on a sign-in path.
 */
import { GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { waitForVerifiedIdentity, type IdentityStatus } from './wait';

interface Properties {
  Identity: string;
  Region: string;
  Stack: string;
  IdentityStack?: string;
}

export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  const PhysicalResourceId = `ses-identity-verified:${p.Region}:${p.Identity}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId };
  const ses = new SESv2Client({ region: p.Region });
  const statusOf = async (identity: string): Promise<IdentityStatus | undefined> => {
    try {
      const out = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      return { verifiedForSending: out.VerifiedForSendingStatus === true, dkimStatus: out.DkimAttributes?.Status };
    } catch (e) {
      if (e instanceof NotFoundException) return undefined;
      throw e;
    }
  };
  await waitForVerifiedIdentity({
    identity: p.Identity,
    region: p.Region,
    stack: p.Stack,
    identityStack: p.IdentityStack,
    statusOf,
    // Leave the framework time to report the failure before this function's own timeout.
    remainingMs: () => context.getRemainingTimeInMillis() - 30_000,
    intervalMs: 20_000,
  });
  return { PhysicalResourceId };
}
