/**
 * Cross-field rules of a tenant file: what no single field can say on its own.
 * Each rule reports with the path of the field a person has to change.
 */
import type { CoreTenant } from './sections';
import { patterns } from './sections';

export type Report = (path: ReadonlyArray<string | number>, message: string) => void;

/** A rule over a parsed tenant; extensions add rules over their own (wider) type. */
export type TenantRule<T> = (tenant: T, report: Report) => void;

/** The managed login host name of a tenant: where passkeys are bound and users are redirected. */
export function loginDomainName(tenant: Pick<CoreTenant, 'domain' | 'region'>): string {
  return 'prefix' in tenant.domain
    ? `${tenant.domain.prefix}.auth.${tenant.region}.amazoncognito.com`
    : tenant.domain.custom.domainName;
}

/** A loopback host, where http is acceptable (local development). */
export function isLocalhost(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

const threatProtectionNeedsPlus: TenantRule<CoreTenant> = (t, report) => {
  if (t.threatProtection !== 'off' && t.plan !== 'plus') {
    report(['threatProtection'], `${t.threatProtection} needs plan plus (the plan is ${t.plan})`);
  }
};

const passkeyNeedsRelyingParty: TenantRule<CoreTenant> = (t, report) => {
  if (!t.signIn.firstFactors.includes('passkey')) return;
  const rpId = t.signIn.passkey.relyingPartyId;
  if (!rpId) {
    report(['signIn', 'passkey', 'relyingPartyId'], 'required when passkey is a first factor');
    return;
  }
  // Managed login serves WebAuthn from the user pool domain; a passkey bound to any other
  // relying party id cannot be used there (Cognito: RP id = the custom domain's FQDN).
  const expected = loginDomainName(t);
  if (rpId !== expected) {
    report(['signIn', 'passkey', 'relyingPartyId'], `must be the managed login domain ${expected}`);
  }
};

const passwordFactorRequired: TenantRule<CoreTenant> = (t, report) => {
  if (!t.signIn.firstFactors.includes('password')) {
    report(['signIn', 'firstFactors'], 'must include password (Cognito requires it among the allowed first factors)');
  }
  const seen = new Set<string>();
  t.signIn.firstFactors.forEach((f, i) => {
    if (seen.has(f)) report(['signIn', 'firstFactors', i], `${f} is listed twice`);
    seen.add(f);
  });
};

const smsNeedsSmsSection: TenantRule<CoreTenant> = (t, report) => {
  if (t.sms) return;
  t.signIn.mfa.factors.forEach((f, i) => {
    if (f === 'sms') report(['signIn', 'mfa', 'factors', i], 'sms needs the sms section');
  });
  t.signIn.firstFactors.forEach((f, i) => {
    if (f === 'smsOtp') report(['signIn', 'firstFactors', i], 'smsOtp needs the sms section');
  });
  if (t.signIn.accountRecovery.startsWith('phone') || t.signIn.accountRecovery.includes('and-phone')) {
    report(['signIn', 'accountRecovery'], `${t.signIn.accountRecovery} needs the sms section`);
  }
};

const emailCodesNeedSes: TenantRule<CoreTenant> = (t, report) => {
  if (t.email.sender === 'ses') return;
  t.signIn.mfa.factors.forEach((f, i) => {
    if (f === 'email') report(['signIn', 'mfa', 'factors', i], 'email needs email.sender ses (Cognito sends email codes only through SES)');
  });
  t.signIn.firstFactors.forEach((f, i) => {
    if (f === 'emailOtp') report(['signIn', 'firstFactors', i], 'emailOtp needs email.sender ses (Cognito sends email codes only through SES)');
  });
};

const mfaFactorsConsistent: TenantRule<CoreTenant> = (t, report) => {
  const { mode, factors } = t.signIn.mfa;
  if (mode !== 'off' && factors.length === 0) {
    report(['signIn', 'mfa', 'factors'], `at least one factor is required when mfa is ${mode}`);
  }
  if (new Set(factors).size !== factors.length) report(['signIn', 'mfa', 'factors'], 'a factor is listed twice');
  // CloudFormation cannot create a pool whose only MFA factor is email (it demands an SMS
  // configuration: cloudformation-coverage-roadmap#2221); pools that also offer TOTP or SMS are
  // the ordinary case.
  if (mode !== 'off' && factors.includes('email') && !factors.includes('totp') && !factors.includes('sms')) {
    report(['signIn', 'mfa', 'factors'], 'email cannot be the only MFA factor: add totp or sms (CloudFormation cannot create such a pool, cloudformation-coverage-roadmap#2221)');
  }
};

const customDomainCertificate: TenantRule<CoreTenant> = (t, report) => {
  if (!('custom' in t.domain)) return;
  const { certificateArn, domainName, hostedZone } = t.domain.custom;
  const region = patterns.ACM_ARN.exec(certificateArn)?.[1];
  if (region && region !== 'us-east-1') {
    report(['domain', 'custom', 'certificateArn'], `must be in us-east-1 (Cognito custom domains use CloudFront); it is in ${region}`);
  }
  if (hostedZone && domainName !== hostedZone.name && !domainName.endsWith(`.${hostedZone.name}`)) {
    report(['domain', 'custom', 'hostedZone', 'name'], `must be ${domainName} or a parent of it`);
  }
};

const appClientsValid: TenantRule<CoreTenant> = (t, report) => {
  const names = new Set<string>();
  t.appClients.forEach((c, i) => {
    if (names.has(c.name)) report(['appClients', i, 'name'], `${c.name} is used by another app client`);
    names.add(c.name);
    if (c.public && c.generateSecret) {
      report(['appClients', i, 'generateSecret'], 'a public client cannot have a secret');
    }
    const checkUrls = (field: 'callbackUrls' | 'logoutUrls') =>
      c[field].forEach((raw, j) => {
        const url = new URL(raw);
        // A production pool must not hand codes to whatever listens on a person's own machine.
        if (t.environment === 'production' && isLocalhost(url)) {
          report(['appClients', i, field, j], 'localhost is for development: not allowed in a production tenant');
          return;
        }
        if (url.protocol === 'https:') return;
        if (url.protocol === 'http:' && isLocalhost(url)) return;
        report(['appClients', i, field, j], 'must be https (http only for localhost)');
      });
    checkUrls('callbackUrls');
    checkUrls('logoutUrls');
    if (!c.scopes.includes('openid') && (c.scopes.includes('email') || c.scopes.includes('phone') || c.scopes.includes('profile'))) {
      report(['appClients', i, 'scopes'], 'email, phone and profile need openid');
    }
  });
};

const sesSenderInIdentityDomain: TenantRule<CoreTenant> = (t, report) => {
  if (t.email.sender !== 'ses') return;
  const domain = t.email.fromAddress.split('@')[1]?.toLowerCase();
  if (domain !== t.email.identity.domain) {
    report(['email', 'fromAddress'], `must be an address in the SES identity domain ${t.email.identity.domain}`);
  }
};

/**
 * The SES Regions Cognito takes for a pool's email (Cognito developer guide, "Amazon SES email
 * configuration Regions"; docs/operations-facts.md §3): the pool's own Region, or one of three
 * alternates, except from the pool Regions the guide lists without them. A pool Region the guide
 * does not list is let through (its alternates are not known here: preflight asks AWS).
 */
const SES_ALTERNATE_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const POOL_REGIONS_WITHOUT_ALTERNATES = ['us-west-1', 'eu-west-3', 'eu-north-1', 'me-south-1', 'sa-east-1'];
const sesRegionCognitoSupports: TenantRule<CoreTenant> = (t, report) => {
  if (t.email.sender !== 'ses' || !t.email.sesRegion || t.email.sesRegion === t.region) return;
  if (!SES_ALTERNATE_REGIONS.includes(t.email.sesRegion) || POOL_REGIONS_WITHOUT_ALTERNATES.includes(t.region)) {
    const allowed = POOL_REGIONS_WITHOUT_ALTERNATES.includes(t.region) ? t.region : [t.region, ...SES_ALTERNATE_REGIONS.filter((r) => r !== t.region)].join(', ');
    report(['email', 'sesRegion'], `Cognito cannot send a ${t.region} user pool's email through SES in ${t.email.sesRegion}: use ${allowed}`);
  }
};

/** The rules every tenant file obeys. */
export const coreRules: ReadonlyArray<TenantRule<CoreTenant>> = [
  threatProtectionNeedsPlus,
  passkeyNeedsRelyingParty,
  passwordFactorRequired,
  smsNeedsSmsSection,
  emailCodesNeedSes,
  mfaFactorsConsistent,
  customDomainCertificate,
  appClientsValid,
  sesSenderInIdentityDomain,
  sesRegionCognitoSupports,
];
