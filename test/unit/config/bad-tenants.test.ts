/**
 * GIVEN a tenant file with one mistake, WHEN it is loaded, THEN the error names the file, the
 * field path and the rule, exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TenantConfigError } from '../../../lib/config/errors';
import { loadTenantFile } from '../../../lib/config/loader';
import { minimalTenant, readTenantInput, tempDir, writeTenantFile } from '../../helpers/tenants';

const dir = tempDir();

function problemsOf(data: unknown, name = 'acme'): { file: string; problems: readonly string[] } {
  const file = writeTenantFile(dir, name, data);
  try {
    loadTenantFile(file);
  } catch (e) {
    if (e instanceof TenantConfigError) return { file, problems: e.problems };
    throw e;
  }
  throw new Error('expected the tenant file to be rejected');
}

function mutate(change: (t: Record<string, any>) => void): Record<string, any> {
  const t = minimalTenant();
  change(t);
  return t;
}

const example = () => {
  const t = readTenantInput('example');
  t.id = 'acme';
  delete t.branding.logo;
  return t;
};

const cases: Array<[string, Record<string, any> | string, string]> = [
  ['passkey without a relying party id', mutate((t) => delete t.signIn.passkey.relyingPartyId),
    'signIn.passkey.relyingPartyId: required when passkey is a first factor'],
  ['passkey relying party id of another domain', mutate((t) => (t.signIn.passkey.relyingPartyId = 'login.acme.example')),
    'signIn.passkey.relyingPartyId: must be the managed login domain acme-login.auth.ap-northeast-1.amazoncognito.com'],
  ['threat protection on essentials', mutate((t) => (t.threatProtection = 'enforced')),
    'threatProtection: enforced needs plan plus (the plan is essentials)'],
  ['sms MFA without the sms section', mutate((t) => (t.signIn.mfa = { mode: 'optional', factors: ['totp', 'sms'] })),
    'signIn.mfa.factors[1]: sms needs the sms section'],
  ['sms OTP without the sms section', mutate((t) => (t.signIn.firstFactors = ['password', 'smsOtp'])),
    'signIn.firstFactors[1]: smsOtp needs the sms section'],
  ['email OTP with Cognito email', mutate((t) => (t.signIn.firstFactors = ['password', 'passkey', 'emailOtp'])),
    'signIn.firstFactors[2]: emailOtp needs email.sender ses (Cognito sends email codes only through SES)'],
  ['public client with a secret', mutate((t) => (t.appClients[0].generateSecret = true)),
    'appClients[0].generateSecret: a public client cannot have a secret'],
  ['http callback off localhost', mutate((t) => (t.appClients[0].callbackUrls = ['http://app.acme.example/cb'])),
    'appClients[0].callbackUrls[0]: must be https (http only for localhost)'],
  ['unknown field', mutate((t) => (t.signIn.pasword = { minLength: 10 })), 'signIn.pasword: unknown field'],
  ['id not DNS-safe', mutate((t) => (t.id = 'Acme_Corp')),
    'id: must be 2-32 lowercase letters, digits or hyphens, starting with a letter'],
  ['account as a YAML number', 'id: acme\naccount: 123456789012\n',
    'account: expected a string, got a number (quote it in YAML)'],
  ['missing region', mutate((t) => delete t.region), 'region: required'],
  ['unknown environment', mutate((t) => (t.environment = 'staging')), 'environment: must be one of: sandbox, production'],
  ['custom domain certificate outside us-east-1', (() => {
    const t = example();
    t.domain.custom.certificateArn = 'arn:aws:acm:ap-northeast-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    return t;
  })(), 'domain.custom.certificateArn: must be in us-east-1 (Cognito custom domains use CloudFront); it is in ap-northeast-1'],
  ['both a prefix and a custom domain', mutate((t) => (t.domain = { prefix: 'acme-login', custom: example().domain.custom })),
    'domain: give either prefix or custom (not both)'],
  ['unknown email sender', mutate((t) => (t.email = { sender: 'sendgrid' })), 'email.sender: must be one of: cognito, ses'],
  ['password missing from first factors', mutate((t) => (t.signIn.firstFactors = ['passkey'])),
    'signIn.firstFactors: must include password (Cognito requires it among the allowed first factors)'],
  ['two app clients with one name', mutate((t) => t.appClients.push({ ...t.appClients[0] })),
    'appClients[1].name: web is used by another app client'],
  ['token lifetime out of range', mutate((t) => (t.appClients[0].tokenValidity = { accessTokenMinutes: 2000 })),
    'appClients[0].tokenValidity.accessTokenMinutes: must be at most 1440'],
  ['no app client', mutate((t) => (t.appClients = [])), 'appClients: must have at least 1 item'],
  ['MFA required with no factor', mutate((t) => (t.signIn.mfa = { mode: 'required', factors: [] })),
    'signIn.mfa.factors: at least one factor is required when mfa is required'],
  ['prefix naming cognito', mutate((t) => (t.domain = { prefix: 'acme-cognito' })),
    'domain.prefix: must not contain aws, amazon or cognito (Cognito rejects it)'],
  ['SES sender outside the identity domain', (() => {
    const t = example();
    t.email.fromAddress = 'no-reply@other.example';
    return t;
  })(), 'email.fromAddress: must be an address in the SES identity domain example.co.jp'],
  ['hosted zone not a parent of the domain', (() => {
    const t = example();
    t.domain.custom.hostedZone.name = 'other.example';
    return t;
  })(), 'domain.custom.hostedZone.name: must be auth.example.co.jp or a parent of it'],
  ['branding colour not hex', mutate((t) => (t.branding = { style: 'custom', colors: { primary: 'blue' } })),
    'branding.colors.primary: must be a hex colour such as #0B5FFF'],
  ['enabled flag as a string', mutate((t) => (t.signIn.selfSignUp = 'yes')),
    'signIn.selfSignUp: expected a boolean (true or false), got a string'],
  ['message language not offered', mutate((t) => (t.messages = { language: 'fr' })), 'messages.language: must be one of: ja, en'],
  ['service name that would break a template', mutate((t) => (t.messages = { serviceName: 'Acme {####}' })),
    'messages.serviceName: must not contain { } < or >'],
  ['jpki custom OP without an issuer', mutate((t) => (t.jpki = { environment: 'custom', clientId: 'RP00000001' })),
    'jpki.issuer: required when environment is custom'],
  ['jpki scopes without openid', mutate((t) => (t.jpki = { environment: 'sandbox', clientId: 'RP00000001', scopes: ['name'] })),
    'jpki.scopes: must include openid'],
  ['jpki scope that the OP does not offer', mutate((t) => (t.jpki = { environment: 'sandbox', clientId: 'RP00000001', scopes: ['openid', 'email'] })),
    'jpki.scopes[1]: must be one of: openid, name, address, birthdate, gender'],
  ['jpki client id with punctuation', mutate((t) => (t.jpki = { environment: 'sandbox', clientId: 'RP-0001' })),
    'jpki.clientId: must be 1-255 letters and digits (for example RP00000001)'],
  ['jpki OP over http off localhost', mutate((t) => (t.jpki = { environment: 'custom', clientId: 'RP1', issuer: 'http://op.example.jp/realms/x' })),
    'jpki.issuer: must be https (http only for localhost)'],
  ['jpki HMAC client assertion', mutate((t) => (t.jpki = { environment: 'sandbox', clientId: 'RP1', clientAssertion: { algorithm: 'HS256' } })),
    'jpki.clientAssertion.algorithm: must be one of: RS256, ES256, PS256'],
  ['jpki HMAC ID tokens', mutate((t) => (t.jpki = { environment: 'sandbox', clientId: 'RP1', idTokenAlgorithms: ['RS256', 'HS256'] })),
    'jpki.idTokenAlgorithms[1]: must be one of: RS256, ES256, PS256'],
  ['email as the only MFA factor (cloudformation-coverage-roadmap#2221)',
    (() => {
      const t = example();
      t.signIn.mfa = { mode: 'optional', factors: ['email'] };
      return t;
    })(),
    'signIn.mfa.factors: email cannot be the only MFA factor: add totp or sms (CloudFormation cannot create such a pool, cloudformation-coverage-roadmap#2221)'],
  ['localhost callback in a production tenant', mutate((t) => {
    t.environment = 'production';
    t.appClients[0].callbackUrls = ['https://app.acme.example/cb', 'http://localhost:3000/cb'];
  }),
    'appClients[0].callbackUrls[1]: localhost is for development: not allowed in a production tenant'],
  ['an SES Region Cognito does not send from for the pool’s Region', mutate((t) => {
    t.email = { sender: 'ses', fromAddress: 'no-reply@acme.example', identity: { create: false, domain: 'acme.example' }, sesRegion: 'ap-southeast-1' };
  }),
    'email.sesRegion: Cognito cannot send a ap-northeast-1 user pool\'s email through SES in ap-southeast-1: use ap-northeast-1, us-east-1, us-west-2, eu-west-1'],
  ['a pool Region without SES alternates', mutate((t) => {
    t.region = 'sa-east-1';
    t.email = { sender: 'ses', fromAddress: 'no-reply@acme.example', identity: { create: false, domain: 'acme.example' }, sesRegion: 'us-east-1' };
  }),
    'email.sesRegion: Cognito cannot send a sa-east-1 user pool\'s email through SES in us-east-1: use sa-east-1'],
  ['a production tenant whose alarms would reach nobody', mutate((t) => {
    t.environment = 'production';
    t.operations = { operators: { emails: [] } };
  }),
    'operations.operators.emails: a production tenant needs at least one address: its alarms go to the operators’ topic and would reach nobody (webhook and Slack targets get security events, not alarms)'],
  ['jpki leeway out of range', mutate((t) => (t.jpki = { environment: 'sandbox', clientId: 'RP1', clockLeewaySeconds: 3600 })),
    'jpki.clockLeewaySeconds: must be at most 300'],
];

describe('a wrong tenant file is rejected with one readable error per problem', () => {
  test.each(cases)('%s', (_name, data, expected) => {
    const { file, problems } = problemsOf(data);
    expect(problems).toContain(`${file}: ${expected}`);
  });

  test('there are at least 15 distinct cases with distinct messages', () => {
    expect(new Set(cases.map((c) => c[2])).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  test('every problem in a file is reported, not only the first', () => {
    const { file, problems } = problemsOf(mutate((t) => {
      delete t.region;
      t.environment = 'staging';
      t.signIn.extra = true;
    }));
    expect(problems).toEqual(expect.arrayContaining([
      `${file}: region: required`,
      `${file}: environment: must be one of: sandbox, production`,
      `${file}: signIn.extra: unknown field`,
    ]));
  });

  test('an id that differs from the file name', () => {
    const { file, problems } = problemsOf(minimalTenant(), 'other');
    expect(problems).toEqual([`${file}: id: must equal the file name (other)`]);
  });

  test('a YAML syntax error names the line and column', () => {
    const { file, problems } = problemsOf('id: acme\nregion: [ap-northeast-1\naccount: "1"\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: YAML syntax: `));
  });

  test('a duplicated key is a YAML error, not a silent override', () => {
    const { problems } = problemsOf('id: acme\nid: other\n');
    expect(problems[0]).toMatch(/YAML syntax: Map keys must be unique/);
  });

  test('an empty file', () => {
    const { file, problems } = problemsOf('# nothing here\n');
    expect(problems).toEqual([`${file}: the file is empty`]);
  });

  test('a file that is not a mapping', () => {
    const { file, problems } = problemsOf('- id: acme\n');
    expect(problems).toEqual([`${file}: (top level): expected a mapping of tenant fields`]);
  });

  test('a logo file that does not exist', () => {
    const { file, problems } = problemsOf(mutate((t) => (t.branding = { style: 'custom', colors: { primary: '#112233' }, logo: 'missing.png' })));
    expect(problems).toEqual([`${file}: branding.logo: file not found: ${path.join(dir, 'missing.png')}`]);
  });

  test('a logo file over the asset limit', () => {
    fs.writeFileSync(path.join(dir, 'huge.png'), Buffer.alloc(800_000));
    const { file, problems } = problemsOf(mutate((t) => (t.branding = { style: 'custom', colors: { primary: '#112233' }, logo: 'huge.png' })));
    expect(problems).toEqual([`${file}: branding.logo: 800000 bytes; at most 750000 (Cognito's limit for a branding asset)`]);
  });
});

test('an SES Region Cognito does send from is accepted: the pool’s own, or an alternate where the guide lists one', () => {
  const ses = (region: string, sesRegion: string) => {
    const t = minimalTenant();
    t.region = region;
    t.signIn.passkey.relyingPartyId = `acme-login.auth.${region}.amazoncognito.com`;
    t.email = { sender: 'ses', fromAddress: 'no-reply@acme.example', identity: { create: false, domain: 'acme.example' }, sesRegion };
    try {
      return problemsOf(t).problems.filter((p) => p.includes('sesRegion'));
    } catch (e) {
      if ((e as Error).message === 'expected the tenant file to be rejected') return []; // accepted: no problem at all
      throw e;
    }
  };
  expect(ses('ap-northeast-1', 'ap-northeast-1')).toEqual([]);
  for (const alternate of ['us-east-1', 'us-west-2', 'eu-west-1']) expect(ses('ap-northeast-1', alternate)).toEqual([]);
  expect(ses('sa-east-1', 'sa-east-1')).toEqual([]);
});
