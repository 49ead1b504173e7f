import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CustomThreatProtectionMode,
  FeaturePlan,
  Mfa,
  PasskeyUserVerification,
  StandardThreatProtectionMode,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { TenantConfig } from '../config/schema';
import { EmailSender } from '../messaging/email-sender';
import { jpkiCustomAttributes, standardAttributes } from '../jpki/attributes';
import { acknowledge } from '../private/acknowledge';
import { SmsSender } from '../messaging/sms-sender';
import { userMessagesOf } from '../messaging/user-messages';

export interface TenantUserPoolProps {
  /** The parsed tenant file. */
  readonly tenant: TenantConfig;
  /** The stack that holds the tenant's SES resources, if it has one. */
  readonly mailStackName?: string;
}

const accountRecovery: Record<TenantConfig['signIn']['accountRecovery'], AccountRecovery> = {
  'email-only': AccountRecovery.EMAIL_ONLY,
  'email-and-phone-without-mfa': AccountRecovery.EMAIL_AND_PHONE_WITHOUT_MFA,
  'phone-without-mfa-and-email': AccountRecovery.PHONE_WITHOUT_MFA_AND_EMAIL,
  'phone-only-without-mfa': AccountRecovery.PHONE_ONLY_WITHOUT_MFA,
  none: AccountRecovery.NONE,
};
const mfaMode = { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED } as const;
const standardThreat = {
  off: StandardThreatProtectionMode.NO_ENFORCEMENT,
  audit: StandardThreatProtectionMode.AUDIT_ONLY,
  enforced: StandardThreatProtectionMode.FULL_FUNCTION,
} as const;
const customThreat = { audit: CustomThreatProtectionMode.AUDIT_ONLY, enforced: CustomThreatProtectionMode.FULL_FUNCTION } as const;

/**
 * The tenant's user pool: feature plan, choice-based sign-in with passkeys, MFA, password
 * policy, threat protection, its mail and SMS senders, and the attributes JPKI federation needs.
 * Production tenants keep the pool (RETAIN and deletion protection).
 */
export class TenantUserPool extends Construct {
  readonly userPool: UserPool;
  readonly email: EmailSender;
  readonly sms?: SmsSender;

  constructor(scope: Construct, id: string, props: TenantUserPoolProps) {
    super(scope, id);
    const t = props.tenant;
    const production = t.environment === 'production';
    // A failed first create leaves nothing behind; later deletes and replacements keep the pool.
    const removalPolicy = production ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const { signIn } = t;
    const factors = new Set(signIn.firstFactors);
    const mfaFactors = new Set(signIn.mfa.factors);
    const pw = signIn.passwordPolicy;

    this.email = new EmailSender(this, 'Email', { email: t.email, mailStackName: props.mailStackName });
    // The retained pool keeps using its SMS role: the role must outlive the stack with it.
    this.sms = t.sms ? new SmsSender(this, 'Sms', { sms: t.sms, removalPolicy }) : undefined;

    const messages = userMessagesOf(t);
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `myna-idp-${t.id}`,
      userVerification: messages.userVerification,
      userInvitation: messages.userInvitation,
      mfaMessage: messages.mfaMessage,
      featurePlan: t.plan === 'plus' ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: signIn.selfSignUp,
      signInAliases: { email: signIn.usernameAttributes.includes('email'), phone: signIn.usernameAttributes.includes('phone') },
      autoVerify: { email: signIn.usernameAttributes.includes('email'), phone: signIn.usernameAttributes.includes('phone') },
      keepOriginal: { email: signIn.usernameAttributes.includes('email'), phone: signIn.usernameAttributes.includes('phone') },
      signInCaseSensitive: false,
      standardAttributes,
      customAttributes: jpkiCustomAttributes,
      signInPolicy: {
        allowedFirstAuthFactors: {
          password: factors.has('password'),
          passkey: factors.has('passkey'),
          emailOtp: factors.has('emailOtp'),
          smsOtp: factors.has('smsOtp'),
        },
      },
      passkeyRelyingPartyId: factors.has('passkey') ? signIn.passkey.relyingPartyId : undefined,
      passkeyUserVerification: factors.has('passkey')
        ? signIn.passkey.userVerification === 'required' ? PasskeyUserVerification.REQUIRED : PasskeyUserVerification.PREFERRED
        : undefined,
      mfa: mfaMode[signIn.mfa.mode],
      mfaSecondFactor:
        signIn.mfa.mode === 'off' ? undefined : { otp: mfaFactors.has('totp'), sms: mfaFactors.has('sms'), email: mfaFactors.has('email') },
      passwordPolicy: {
        minLength: pw.minLength,
        requireLowercase: pw.requireLowercase,
        requireUppercase: pw.requireUppercase,
        requireDigits: pw.requireDigits,
        requireSymbols: pw.requireSymbols,
        passwordHistorySize: pw.historySize > 0 ? pw.historySize : undefined,
        tempPasswordValidity: Duration.days(pw.temporaryPasswordValidityDays),
      },
      accountRecovery: accountRecovery[signIn.accountRecovery],
      email: this.email.userPoolEmail,
      smsRole: this.sms?.role,
      smsRoleExternalId: this.sms?.externalId,
      snsRegion: this.sms?.snsRegion,
      enableSmsRole: this.sms !== undefined,
      standardThreatProtectionMode: t.plan === 'plus' ? standardThreat[t.threatProtection] : undefined,
      customThreatProtectionMode: t.plan === 'plus' && t.threatProtection !== 'off' ? customThreat[t.threatProtection] : undefined,
      deletionProtection: production,
      removalPolicy,
    });
    if (this.email.verified) this.userPool.node.addDependency(this.email.verified);

    const stack = Stack.of(this);
    new CfnOutput(stack, 'UserPoolId', { description: 'The Cognito user pool of this tenant', value: this.userPool.userPoolId });
    new CfnOutput(stack, 'Issuer', {
      description: 'The issuer of the tokens apps receive (OIDC discovery: <issuer>/.well-known/openid-configuration)',
      value: `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`,
    });

    if (signIn.mfa.mode !== 'required') {
      acknowledge(
        this.userPool,
        'AwsSolutions-COG2',
        `The tenant file sets MFA to ${signIn.mfa.mode}: everyday sign-in relies on passkeys and one-time codes, and sensitive actions step up with the My Number Card.`,
      );
    }
    if (t.plan !== 'plus') {
      acknowledge(this.userPool, 'AwsSolutions-COG8', 'The tenant file chooses plan essentials (passkeys and managed login included); plus is a per-tenant cost decision.');
    }
    if (t.threatProtection !== 'enforced') {
      acknowledge(
        this.userPool,
        'AwsSolutions-COG3',
        `The tenant file sets threat protection to ${t.threatProtection} (plan ${t.plan}); enforcement needs plan plus and is the tenant's choice.`,
      );
    }
  }
}
