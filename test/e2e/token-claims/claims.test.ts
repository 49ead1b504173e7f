/**
 * The pre token generation trigger's claims (lambdas/token-claims): from the card record only,
 * bound to the user, minimised per client, never from the OP of another environment; and the
 * card record store against DynamoDB's API (the local stand-in): never rolled back, links never
 * taken over.
 */
import { AwsJsonClient } from '../../../lambdas/shared/aws-json';
import { clientPolicyOf, DynamoCardRecordStore, LinkConflictError, type CardAuthentication } from '../../../lambdas/shared/card-records';
import { cardSubjectOf, overridesFor, SUPPRESSED, tokenEventsFor, type PreTokenEvent, type TokenClaimsConfig } from '../../../lambdas/token-claims/claims';
import { STAND_IN_CREDENTIALS, startAwsStandIn, type AwsStandIn } from '../../../tools/stand-ins/aws/aws-stand-in';

const config: TokenClaimsConfig = {
  providerName: 'DigitalAuthApp',
  opIssuer: 'https://auth-and-sign.go.jp/api/realms/main',
  trustFramework: 'urn:myna-idp:trust-framework:jpki-user-authentication',
  claims: { acr: 'myna_acr', authTime: 'myna_auth_time', sessionTime: 'myna_session_time' },
};
const card: CardAuthentication = {
  sub: 'pairwise-1',
  attributes: { name: '髙橋 﨑一郎', address: '北海道札幌市中央区北一条西二丁目', birthdate: '1948-02-29', gender: 'male' },
  acr: 'aal3',
  authTime: 1_800_000_000,
  opIssuer: config.opIssuer,
  sessionTime: 1_800_000_010,
  linkedUser: 'native-user',
};
const event = (userName: string, clientId = 'client-a', status = 'CONFIRMED'): PreTokenEvent => ({ userName, callerContext: { clientId }, request: { userAttributes: { 'cognito:user_status': status } }, response: {} });

describe('the events a token generation reports', () => {
  const policy = { 'client-a': ['name'] };
  const withCid = { ...card, correlationId: 'corr-0123456789' };
  const eventsAt = (e: PreTokenEvent, c: CardAuthentication | undefined, now: number) => tokenEventsFor(e, config, c, overridesFor(e, config, c, policy), now);

  test('the card sign-in itself: a step-up and verified claims, with the proxy’s correlation id', () => {
    expect(eventsAt(event('native-user'), withCid, card.sessionTime + 2)).toEqual([
      { type: 'token.step_up_issued', reason: 'card_authentication', correlationId: 'corr-0123456789' },
      { type: 'token.verified_claims_issued', reason: 'client_policy', correlationId: 'corr-0123456789' },
    ]);
  });

  test('a later sign-in (a passkey) of the same person: verified claims only, without that sign-in’s correlation id', () => {
    expect(eventsAt(event('native-user'), withCid, card.sessionTime + 3600)).toEqual([{ type: 'token.verified_claims_issued', reason: 'client_policy' }]);
  });

  test('a refresh, a client with no verified claims, or no card: nothing', () => {
    expect(eventsAt({ ...event('native-user'), triggerSource: 'TokenGeneration_RefreshTokens' }, withCid, card.sessionTime + 2)).toEqual([]);
    expect(eventsAt(event('native-user', 'client-b'), withCid, card.sessionTime + 3600)).toEqual([]);
    expect(eventsAt(event('native-user'), undefined, card.sessionTime)).toEqual([]);
    expect(eventsAt(event('someone-else'), withCid, card.sessionTime + 2)).toEqual([]);
  });
});

describe('claims', () => {
  test('a linked user gets the step-up claims in both tokens and, for a listed client, only its verified claims', () => {
    const o = overridesFor(event('native-user'), config, card, { 'client-a': ['name', 'birthdate'] });
    expect(o.accessTokenGeneration.claimsToAddOrOverride).toEqual({ myna_acr: 'aal3', myna_auth_time: 1_800_000_000, myna_session_time: 1_800_000_010 });
    expect(o.idTokenGeneration.claimsToAddOrOverride).toEqual({
      myna_acr: 'aal3',
      myna_auth_time: 1_800_000_000,
      myna_session_time: 1_800_000_010,
      verified_claims: {
        verification: {
          trust_framework: config.trustFramework,
          assurance_level: 'aal3',
          time: '2027-01-15T08:00:00Z',
          evidence: [expect.objectContaining({ type: 'electronic_record', check_details: [{ check_method: 'auth', organization: config.opIssuer, time: '2027-01-15T08:00:00Z' }] })],
        },
        claims: { name: '髙橋 﨑一郎', birthdate: '1948-02-29' },
      },
    });
    expect(o.idTokenGeneration.claimsToSuppress).toEqual(SUPPRESSED);
  });

  test('an unlisted client gets no verified_claims (default: nothing)', () => {
    expect(overridesFor(event('native-user', 'client-b'), config, card, { 'client-a': ['name'] }).idTokenGeneration.claimsToAddOrOverride).not.toHaveProperty('verified_claims');
  });

  test('an authentication at another OP (the sandbox OP in a production tenant) gives nothing', () => {
    const o = overridesFor(event('native-user'), config, { ...card, opIssuer: 'https://sb-auth-and-sign.go.jp/api/realms/main' }, { 'client-a': ['name'] });
    expect(o.idTokenGeneration.claimsToAddOrOverride).toEqual({});
    expect(o.accessTokenGeneration.claimsToAddOrOverride).toEqual({});
  });

  test('a card sign-up’s record counts for its own user only, never for a pool user that merely names it (identities)', () => {
    const own = { ...card, linkedUser: undefined };
    expect(overridesFor(event('DigitalAuthApp_pairwise-1', 'client-a', 'EXTERNAL_PROVIDER'), config, own, { 'client-a': ['name'] }).idTokenGeneration.claimsToAddOrOverride).toHaveProperty('verified_claims');
    expect(overridesFor(event('native-user'), config, own, { 'client-a': ['name'] }).idTokenGeneration.claimsToAddOrOverride).toEqual({});
    // A pool user named like the card's user is not it.
    expect(overridesFor(event('DigitalAuthApp_pairwise-1'), config, own, { 'client-a': ['name'] }).idTokenGeneration.claimsToAddOrOverride).toEqual({});
  });

  test('a record linked to another user gives this one nothing', () => {
    expect(overridesFor(event('someone-else'), config, card, { 'client-a': ['name'] }).idTokenGeneration.claimsToAddOrOverride).toEqual({});
  });

  test('the card subject: a federated user of the card by its name and status only; others through the link', async () => {
    const none = async () => undefined;
    expect(await cardSubjectOf(event('DigitalAuthApp_pairwise-9', 'c', 'EXTERNAL_PROVIDER'), config, none)).toBe('pairwise-9');
    // A pool user who picked such a name is not the card's user.
    expect(await cardSubjectOf(event('DigitalAuthApp_pairwise-9', 'c', 'CONFIRMED'), config, none)).toBeUndefined();
    expect(await cardSubjectOf(event('native-user'), config, async () => 'pairwise-1')).toBe('pairwise-1');
  });

  test('the card subject from the identities Cognito keeps, without reading the link record; an unlinked card no longer counts', async () => {
    const withIdentities = (identities: unknown) => {
      const e = event('native-user');
      e.request.userAttributes.identities = typeof identities === 'string' ? identities : JSON.stringify(identities);
      return e;
    };
    let reads = 0;
    const read = async () => (reads++, 'pairwise-stale');
    expect(await cardSubjectOf(withIdentities([{ providerName: 'Google', userId: 'g-1' }, { providerName: 'DigitalAuthApp', userId: 'pairwise-7', providerType: 'OIDC' }]), config, read)).toBe('pairwise-7');
    // The card was unlinked in the pool (AdminDisableProviderForUser): the stale record does not bring it back.
    expect(await cardSubjectOf(withIdentities([{ providerName: 'Google', userId: 'g-1' }]), config, read)).toBeUndefined();
    expect(await cardSubjectOf(withIdentities([]), config, read)).toBeUndefined();
    expect(reads).toBe(0);
    // Not a JSON array: the link record decides, as without the attribute.
    expect(await cardSubjectOf(withIdentities('not json'), config, read)).toBe('pairwise-stale');
    expect(await cardSubjectOf(withIdentities({ providerName: 'DigitalAuthApp', userId: 'x' }), config, read)).toBe('pairwise-stale');
    expect(reads).toBe(2);
  });
});

describe('card records in DynamoDB (its API, on the local stand-in)', () => {
  let aws: AwsStandIn;
  let store: DynamoCardRecordStore;
  let ddb: AwsJsonClient;
  beforeAll(async () => {
    aws = await startAwsStandIn();
    ddb = new AwsJsonClient({ service: 'dynamodb', region: 'ap-northeast-1', credentials: () => STAND_IN_CREDENTIALS, endpoint: aws.endpoint, jsonVersion: '1.0' });
    store = new DynamoCardRecordStore(ddb, 'CardRecords');
  });
  afterAll(() => aws.close());

  const { linkedUser: _unused, ...auth } = card;

  test('a newer authentication replaces an older one, never the other way round (no rollback)', async () => {
    await store.putAuthentication(auth);
    await store.putAuthentication({ ...auth, authTime: auth.authTime - 100, attributes: { ...auth.attributes, address: '古い住所' } });
    expect((await store.getCard(auth.sub))!.attributes.address).toBe(auth.attributes.address);
    await store.putAuthentication({ ...auth, authTime: auth.authTime + 100, sessionTime: auth.sessionTime + 100, attributes: { ...auth.attributes, address: '新しい住所' } });
    expect(await store.getCard(auth.sub)).toMatchObject({ authTime: auth.authTime + 100, attributes: { address: '新しい住所' } });
  });

  test('a link is kept across authentications and cannot be taken by another user', async () => {
    await store.putLink('native-user', auth.sub);
    await store.putAuthentication({ ...auth, authTime: auth.authTime + 200 });
    expect((await store.getCard(auth.sub))!.linkedUser).toBe('native-user');
    expect(await store.getLinkedSub('native-user')).toBe(auth.sub);
    await expect(store.putLink('attacker', auth.sub)).rejects.toBeInstanceOf(LinkConflictError);
    await store.putLink('native-user', auth.sub); // the same link again: fine
  });

  test('a link request is used once; a user keeps one card; a refused link leaves nothing behind', async () => {
    expect(await store.consumeRequest('req-1')).toBe(true);
    expect(await store.consumeRequest('req-1')).toBe(false);
    expect(await store.consumeRequest('')).toBe(false);
    await store.putAuthentication({ ...auth, sub: 'pairwise-2' });
    // native-user has pairwise-1 (above): a second card is refused and pairwise-2 stays unlinked.
    await expect(store.putLink('native-user', 'pairwise-2')).rejects.toBeInstanceOf(LinkConflictError);
    expect((await store.getCard('pairwise-2'))!.linkedUser).toBeUndefined();
    expect(await store.getLinkedSub('native-user')).toBe(auth.sub);
    await store.putLink('user-3', 'pairwise-2');
    await store.removeLink('user-3', 'pairwise-2');
    expect((await store.getCard('pairwise-2'))!.linkedUser).toBeUndefined();
    expect(await store.getLinkedSub('user-3')).toBeUndefined();
  });

  test('the client policy written at deploy time', async () => {
    expect(await clientPolicyOf(ddb, 'CardRecords')).toEqual({});
    aws.dynamo.handle('PutItem', { TableName: 'CardRecords', Item: { pk: { S: 'config#clients' }, clients: { S: JSON.stringify({ c1: ['name'] }) } } });
    expect(await clientPolicyOf(ddb, 'CardRecords')).toEqual({ c1: ['name'] });
  });
});
