/**
 * Waits until an SES identity may send. Cognito refuses an unverified identity in its email
 * configuration (EmailConfigurationType.SourceArn: "a verified email address or domain"), and
 * Easy DKIM verification of a new domain takes minutes to hours: the user pool must wait for it,
 * and a deploy that cannot wait long enough must say so plainly.
 */

/** What SES says of an identity (SESv2 GetEmailIdentity), or undefined when it does not exist. */
export interface IdentityStatus {
  readonly verifiedForSending: boolean;
  /** DkimAttributes.Status: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE, NOT_STARTED. */
  readonly dkimStatus?: string;
}

export interface WaitOptions {
  readonly identity: string;
  readonly region: string;
  /** The stack that keeps the identity, named in the message when it is not verified in time. */
  readonly identityStack?: string;
  /** The stack to deploy again once it is verified. */
  readonly stack: string;
  readonly statusOf: (identity: string) => Promise<IdentityStatus | undefined>;
  /** Milliseconds left before the wait must give up. */
  readonly remainingMs: () => number;
  readonly intervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class IdentityNotVerifiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityNotVerifiedError';
  }
}

/** Resolves once the identity is verified for sending; otherwise throws a message that says what to do. */
export async function waitForVerifiedIdentity(o: WaitOptions): Promise<void> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = o.remainingMs();
  let last: IdentityStatus | undefined;
  for (;;) {
    last = await o.statusOf(o.identity);
    if (last?.verifiedForSending) return;
    // FAILED means SES gave up on the DNS records (72 hours): waiting longer cannot help.
    if (last?.dkimStatus === 'FAILED' || o.remainingMs() < o.intervalMs) break;
    await sleep(o.intervalMs);
  }
  const minutes = Math.round((started - o.remainingMs()) / 60_000);
  const check = `aws sesv2 get-email-identity --email-identity ${o.identity} --region ${o.region}`;
  if (!last) {
    throw new IdentityNotVerifiedError(
      `The SES identity ${o.identity} does not exist in ${o.region}. Create and verify it (or set email.identity.create: true), then deploy ${o.stack} again.`,
    );
  }
  const kept = o.identityStack ? ` The identity stays in stack ${o.identityStack}.` : '';
  throw new IdentityNotVerifiedError(
    `The SES identity ${o.identity} in ${o.region} is not verified for sending after ${minutes} minutes (DKIM status ${last.dkimStatus ?? 'unknown'}); ` +
      `Cognito refuses an unverified identity.${kept} Publish its DKIM records if they are not in Route 53, ` +
      `wait until \`${check}\` shows VerifiedForSendingStatus true (DNS can take up to 72 hours), then deploy ${o.stack} again.`,
  );
}
