/**
 * Cognito's native authentication levels as a tenant option (jpki.stepUp.nativeLevels), off by
 * default: the template's custom resource and the tenant file's checks. cdk-nag and cfn-lint see
 * its template in the native-levels fixture (test/fixtures/native-levels/, nag.test.ts and
 * synth.test.ts); the handler against the Cognito stand-in is in test/e2e/step-up/native-levels.test.ts.
 */
import { tenantSchema } from '../../lib/config/schema';
import type { CfnTemplate } from '../../tools/stand-ins/cognito/template';
import { assemblyOf } from '../helpers/assembly';
import { minimalTenant, nativeLevelsDir, synthTenant } from '../helpers/tenants';

function cardTenant(nativeLevels?: Record<string, unknown>, change: (t: Record<string, any>) => void = () => undefined) {
  const t = minimalTenant();
  t.jpki = { environment: 'sandbox', clientId: 'RP00000002', acrValues: 'aal3', ...(nativeLevels ? { stepUp: { nativeLevels } } : {}) };
  // Password with TOTP is Cognito's Level4 too: a tenant with native levels offers no TOTP.
  if (nativeLevels) t.signIn.mfa = { mode: 'off' };
  change(t);
  return t;
}
const ON = { enabled: true, cardLevel: 'Level4', names: { Level4: 'urn:myna-idp:loa:card' } };

const resourcesOf = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('the template', () => {
  test('off by default: no custom resource, nothing changes in the pool', () => {
    const template = synthTenant(cardTenant()).template.toJSON() as CfnTemplate;
    expect(resourcesOf(template, 'Custom::NativeAuthenticationLevels')).toHaveLength(0);
  });

  test('on: the level names, the card acr mapped to the card level, a revision of the pool and provider, and only the four Cognito actions', () => {
    const { template } = synthTenant(cardTenant(ON));
    const json = template.toJSON() as CfnTemplate;
    const found = resourcesOf(json, 'Custom::NativeAuthenticationLevels');
    expect(found).toHaveLength(1);
    const r = found[0]![1] as { Properties: Record<string, any> };
    const [idp] = resourcesOf(json, 'AWS::Cognito::UserPoolIdentityProvider')[0]!;
    expect(JSON.parse(r.Properties.LevelNames)).toEqual({ Level4: 'urn:myna-idp:loa:card' });
    expect(JSON.parse(r.Properties.AcrMapping)).toEqual({ Level4: 'aal3' });
    expect(r.Properties.ProviderName).toEqual({ Ref: idp });
    expect(r.Properties.Revision).toMatch(/^[0-9a-f]{32}$/);
    const policies = resourcesOf(json, 'AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties));
    const handlerPolicy = policies.find((p) => p.includes('cognito-idp:UpdateUserPool'))!;
    const cognitoStatements = (JSON.parse(handlerPolicy).PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>).filter((st) => String(st.Action).includes('cognito-idp:'));
    expect(cognitoStatements).toEqual([
      { Action: ['cognito-idp:DescribeIdentityProvider', 'cognito-idp:DescribeUserPool', 'cognito-idp:GetUserPoolMfaConfig', 'cognito-idp:UpdateIdentityProvider', 'cognito-idp:UpdateUserPool'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/UserPool/), 'Arn'] } },
    ]);
  });

  test('the native-levels fixture is this tenant: its template is the one the handler tests run against', () => {
    const fixture = assemblyOf(nativeLevelsDir).template('MynaIdp-acme') as CfnTemplate;
    const synthesized = synthTenant(cardTenant(ON)).template.toJSON() as CfnTemplate;
    const levels = (t: CfnTemplate) => resourcesOf(t, 'Custom::NativeAuthenticationLevels').map(([, r]) => (r as { Properties: Record<string, unknown> }).Properties.Revision);
    expect(levels(fixture)).toEqual(levels(synthesized));
  });

  test('the revision changes with the pool (CloudFormation’s update of it would drop the levels), not otherwise', () => {
    const revision = (t: Record<string, any>) => {
      const json = synthTenant(t).template.toJSON() as CfnTemplate;
      return (resourcesOf(json, 'Custom::NativeAuthenticationLevels')[0]![1].Properties as Record<string, string>).Revision;
    };
    const a = revision(cardTenant(ON));
    expect(revision(cardTenant(ON))).toBe(a);
    expect(revision(cardTenant(ON, (t) => (t.signIn.passwordPolicy = { minLength: 14 })))).not.toBe(a);
  });
});

describe('the tenant file', () => {
  const issues = (t: Record<string, any>) => {
    const r = tenantSchema.safeParse(t);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  test('native levels need the acr the OP is asked for, and distinct level names', () => {
    expect(issues(cardTenant(ON))).toEqual([]);
    const noAcr = cardTenant(ON, (t) => delete t.jpki.acrValues);
    expect(issues(noAcr)).toEqual([expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.enabled: needs jpki\.acrValues/)]);
    expect(issues(cardTenant({ ...ON, names: { Level4: 'urn:cognito:loa:1' } }))).toEqual([expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.names: each level needs its own name/)]);
    // Cognito's AcrValue pattern [\x21\x23-\x5B\x5D-\x7E]{1,64}: no space, `"` or `\` (UpdateUserPool would refuse them at deploy).
    for (const bad of ['urn:"card"', 'urn:card\\x', 'urn: card', 'x'.repeat(65), '']) {
      expect({ bad, issues: issues(cardTenant({ ...ON, names: { Level4: bad } })) }).toEqual({ bad, issues: [expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.names\.Level4: must be 1-64 printable ASCII characters without spaces, " or \\/)] });
    }
    for (const good of ['urn:myna-idp:loa:card', '!#[]^~', 'x'.repeat(64)]) expect(issues(cardTenant({ ...ON, names: { Level4: good } }))).toEqual([]);
    expect(issues(cardTenant({ enabled: true, cardLevel: 'Level5' }))[0]).toMatch(/^jpki\.stepUp\.nativeLevels\.cardLevel:/);
    // Only Level4 is out of reach of a password, a code or a passkey; and TOTP reaches it too.
    expect(issues(cardTenant({ ...ON, cardLevel: 'Level3' }))).toEqual([expect.stringMatching(/^jpki\.stepUp\.nativeLevels\.cardLevel: must be Level4/)]);
    expect(issues(cardTenant(ON, (t) => (t.signIn.mfa = { mode: 'optional', factors: ['totp'] })))).toEqual([expect.stringMatching(/^signIn\.mfa\.factors: totp cannot be offered with jpki\.stepUp\.nativeLevels/)]);
  });
});
