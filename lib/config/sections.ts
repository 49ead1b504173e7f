/**
 * The sections of a tenant file, one zod schema each.
 *
 * Every field carries a description: it becomes the JSON Schema that editors use
 * (`tenants/tenant.schema.json`) and the field reference in the README.
 * Objects are strict: an unknown key is an error, not something silently ignored.
 */
import { z } from 'zod';

/** A DNS label: lowercase letters, digits and inner hyphens. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const HEX_COLOR = /^#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?$/;

export const patterns = { DNS_LABEL, DOMAIN_NAME, REGION, ACM_ARN, HEX_COLOR } as const;

const domainName = (what: string) =>
  z.string().regex(DOMAIN_NAME, { message: `must be a lowercase fully qualified domain name (${what})` });

export const environmentSchema = z
  .enum(['sandbox', 'production'])
  .describe('sandbox: resources are destroyed with the stack. production: RETAIN removal policies and deletion protection.');

export const planSchema = z
  .enum(['essentials', 'plus'])
  .default('essentials')
  .describe('Cognito feature plan. plus is needed for threat protection and auth-event log export.');

export const threatProtectionSchema = z
  .enum(['off', 'audit', 'enforced'])
  .default('off')
  .describe('Cognito threat protection for standard and custom authentication (plan plus only).');

export const domainSchema = z
  .union([
    z.strictObject({
      prefix: z
        .string()
        .regex(DNS_LABEL, { message: 'must be a DNS label: lowercase letters, digits and inner hyphens' })
        .refine((p) => !/aws|amazon|cognito/.test(p), { message: 'must not contain aws, amazon or cognito (Cognito rejects it)' })
        .describe('Cognito prefix domain: <prefix>.auth.<region>.amazoncognito.com'),
    }),
    z.strictObject({
      custom: z
        .strictObject({
          domainName: domainName('for example auth.example.co.jp').describe('The custom domain of the managed login pages.'),
          certificateArn: z
            .string()
            .regex(ACM_ARN, { message: 'must be an ACM certificate ARN' })
            .describe('ACM certificate for domainName. Cognito custom domains need it in us-east-1.'),
          hostedZone: z
            .strictObject({
              id: z.string().regex(/^Z[0-9A-Z]{4,32}$/, { message: 'must be a Route 53 hosted zone id' }).describe('Hosted zone id.'),
              name: domainName('the zone apex').describe('Zone name, a parent of domainName.'),
            })
            .optional()
            .describe('Route 53 zone in which to create the alias record for the domain. Omit to manage DNS yourself.'),
        })
        .describe('Custom domain with its own certificate.'),
    }),
  ], { error: 'give either prefix or custom (not both)' })
  .describe('Where managed login is served: a Cognito prefix domain or a custom domain.');

export const firstFactorSchema = z.enum(['password', 'passkey', 'emailOtp', 'smsOtp']);
export const mfaFactorSchema = z.enum(['totp', 'sms', 'email']);

export const passwordPolicySchema = z
  .strictObject({
    minLength: z.number().int().min(8).max(99).default(12).describe('Minimum length (8-99).'),
    requireLowercase: z.boolean().default(true).describe('Require a lowercase letter.'),
    requireUppercase: z.boolean().default(true).describe('Require an uppercase letter.'),
    requireDigits: z.boolean().default(true).describe('Require a digit.'),
    requireSymbols: z.boolean().default(true).describe('Require a symbol.'),
    historySize: z.number().int().min(0).max(24).default(5).describe('Previous passwords a user may not reuse (0-24; 0 turns the check off).'),
    temporaryPasswordValidityDays: z.number().int().min(1).max(365).default(3).describe('Days an administrator-issued temporary password stays valid.'),
  })
  .describe('Password policy.');

export const signInSchema = z
  .strictObject({
    firstFactors: z
      .array(firstFactorSchema)
      .min(1)
      .default(['password', 'passkey'])
      .describe('Allowed first factors of choice-based sign-in. Cognito requires password to be among them.'),
    usernameAttributes: z
      .array(z.enum(['email', 'phone']))
      .min(1)
      .default(['email'])
      .describe('Attributes a person signs in with.'),
    passkey: z
      .strictObject({
        relyingPartyId: domainName('the user pool domain').optional().describe('WebAuthn relying party id: the managed login domain. Required when passkey is a first factor.'),
        userVerification: z.enum(['preferred', 'required']).default('required').describe('Whether authenticators must verify the user (PIN, biometrics).'),
      })
      .default({ userVerification: 'required' })
      .describe('Passkey (WebAuthn) settings.'),
    mfa: z
      .strictObject({
        mode: z.enum(['off', 'optional', 'required']).default('optional').describe('Whether MFA is off, offered, or required.'),
        factors: z.array(mfaFactorSchema).default(['totp']).describe('Second factors offered.'),
      })
      .default({ mode: 'optional', factors: ['totp'] })
      .describe('Multi-factor authentication.'),
    passwordPolicy: passwordPolicySchema.default(passwordPolicySchema.parse({})),
    selfSignUp: z.boolean().default(true).describe('Whether people may create their own accounts on the managed login pages.'),
    accountRecovery: z
      .enum(['email-only', 'email-and-phone-without-mfa', 'phone-without-mfa-and-email', 'phone-only-without-mfa', 'none'])
      .default('email-only')
      .describe('How a person who forgot the password recovers the account.'),
  })
  .describe('Everyday sign-in.');

const tokenValiditySchema = z
  .strictObject({
    accessTokenMinutes: z.number().int().min(5).max(1440).default(60).describe('Access token lifetime (5-1440 minutes).'),
    idTokenMinutes: z.number().int().min(5).max(1440).default(60).describe('ID token lifetime (5-1440 minutes).'),
    refreshTokenDays: z.number().int().min(1).max(3650).default(30).describe('Refresh token lifetime (1-3650 days).'),
  })
  .describe('Token lifetimes.');

export const appClientSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, { message: 'must start with a lowercase letter and hold only lowercase letters, digits and hyphens (at most 63)' })
      .describe('Client name, unique within the tenant.'),
    public: z.boolean().default(false).describe('A public client (browser or native app) has no secret and must use PKCE.'),
    generateSecret: z.boolean().optional().describe('Whether Cognito generates a client secret. Default: true for a confidential client, false for a public one.'),
    callbackUrls: z.array(z.url({ message: 'must be an absolute URL' })).min(1).describe('Allowed redirect URIs after sign-in (https, or http on localhost).'),
    logoutUrls: z.array(z.url({ message: 'must be an absolute URL' })).default([]).describe('Allowed redirect URIs after sign-out (https, or http on localhost).'),
    scopes: z
      .array(z.enum(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']))
      .default(['openid', 'email', 'profile'])
      .describe('OAuth scopes the client may request.'),
    tokenValidity: tokenValiditySchema.default(tokenValiditySchema.parse({})),
  })
  .describe('An application that signs people in through managed login.');

export const sesIdentitySchema = z
  .discriminatedUnion('create', [
    z.strictObject({
      create: z.literal(true).describe('Create the SES domain identity (with Easy DKIM) in this stack.'),
      domain: domainName('the sending domain').describe('Domain of the sender address.'),
      hostedZoneId: z.string().regex(/^Z[0-9A-Z]{4,32}$/, { message: 'must be a Route 53 hosted zone id' }).optional().describe('Route 53 zone of the domain: DKIM records are created there. Omit to publish them yourself.'),
    }),
    z.strictObject({
      create: z.literal(false).describe('Reference an SES identity verified outside this stack.'),
      domain: domainName('the sending domain').describe('Verified SES domain of the sender address.'),
    }),
  ], { error: 'must be true or false' })
  .describe('The SES domain identity that sends the mail.');

export const emailSchema = z
  .discriminatedUnion('sender', [
    z.strictObject({ sender: z.literal('cognito').describe('Cognito’s default sender (low daily quota; for sandboxes).') }),
    z.strictObject({
      sender: z.literal('ses').describe('Amazon SES (Cognito "developer" email).'),
      fromAddress: z.email({ message: 'must be an email address' }).describe('Sender address, in the identity’s domain.'),
      fromName: z.string().min(1).max(64).optional().describe('Sender display name.'),
      replyTo: z.email({ message: 'must be an email address' }).optional().describe('Reply-to address.'),
      configurationSet: z
        .strictObject({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, _ or -' }).describe('Configuration set name.'),
          create: z.boolean().default(true).describe('Create the configuration set in this stack (false: it exists already).'),
        })
        .optional()
        .describe('SES configuration set for delivery events and reputation.'),
      sesRegion: z.string().regex(REGION, { message: 'must be an AWS region such as ap-northeast-1' }).optional().describe('Region of the SES identity when it differs from the tenant region.'),
      identity: sesIdentitySchema,
    }),
  ], { error: 'must be one of: cognito, ses' })
  .default({ sender: 'cognito' })
  .describe('How Cognito sends email.');

export const smsSchema = z
  .strictObject({
    externalId: z
      .string()
      .regex(/^[A-Za-z0-9+=,.@:/-]{2,1224}$/, { message: 'must be 2-1224 characters of letters, digits and +=,.@:/-' })
      .describe('sts:ExternalId Cognito must present to assume the SMS role.'),
    snsRegion: z.string().regex(REGION, { message: 'must be an AWS region such as ap-northeast-1' }).optional().describe('Region of SNS for SMS. Default: the tenant region.'),
    senderId: z
      .string()
      .regex(/^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/, { message: 'must be 1-11 letters, digits or hyphens with at least one letter' })
      .optional()
      .describe('Alphanumeric sender id set as the SNS default for the account and region (where the destination country supports it).'),
  })
  .describe('How Cognito sends SMS (through Amazon SNS). Omit to send no SMS.');

export const brandingSchema = z
  .discriminatedUnion('style', [
    z.strictObject({ style: z.literal('cognito-defaults').describe('Cognito’s own managed login look.') }),
    z.strictObject({
      style: z.literal('custom').describe('The tenant’s colours and logo.'),
      colors: z
        .strictObject({
          primary: z.string().regex(HEX_COLOR, { message: 'must be a hex colour such as #0B5FFF' }).describe('Buttons and links.'),
          pageBackground: z.string().regex(HEX_COLOR, { message: 'must be a hex colour such as #FFFFFF' }).default('#FFFFFF').describe('Page background.'),
          formBackground: z.string().regex(HEX_COLOR, { message: 'must be a hex colour such as #FFFFFF' }).default('#FFFFFF').describe('Sign-in form background.'),
        })
        .describe('Colours (light mode).'),
      logo: z
        .string()
        .regex(/\.(png|svg|jpe?g)$/i, { message: 'must be a .png, .svg or .jpg file' })
        .optional()
        .describe('Logo file, relative to the tenant file.'),
    }),
  ], { error: 'must be one of: cognito-defaults, custom' })
  .default({ style: 'cognito-defaults' })
  .describe('Managed login branding, applied to every app client.');

export const messagesSchema = z
  .strictObject({
    language: z.enum(['ja', 'en']).default('ja').describe('Language of the codes and invitations Cognito sends by email and SMS.'),
    serviceName: z
      .string()
      .min(1)
      .max(40)
      .regex(/^[^{}<>]+$/, { message: 'must not contain { } < or >' })
      .optional()
      .describe('The service name people see in those messages. Default: the tenant id.'),
  })
  .default({ language: 'ja' })
  .describe('Messages Cognito sends (verification codes, invitations, MFA codes).');

/** The fields every tenant file has, whatever features are composed onto it. */
export const coreShape = {
  $schema: z.string().optional().describe('Path of the JSON Schema, for editors.'),
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, { message: 'must be 2-32 lowercase letters, digits or hyphens, starting with a letter' })
    .describe('Tenant id: lowercase and DNS-safe; the stack is MynaIdp-<id>. Must equal the file name.'),
  account: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }).describe('AWS account to deploy to.'),
  region: z.string().regex(REGION, { message: 'must be an AWS region such as ap-northeast-1' }).describe('AWS region to deploy to.'),
  environment: environmentSchema,
  plan: planSchema,
  threatProtection: threatProtectionSchema,
  domain: domainSchema,
  signIn: signInSchema.default(signInSchema.parse({})),
  appClients: z.array(appClientSchema).min(1).describe('Applications that sign people in.'),
  email: emailSchema,
  sms: smsSchema.optional(),
  branding: brandingSchema,
  messages: messagesSchema,
} as const;

/** A tenant's core sections, as parsed: what the rules of every feature may read. */
export type CoreTenant = z.output<z.ZodObject<typeof coreShape, z.core.$strict>>;
