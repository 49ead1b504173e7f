/**
 * The server-side record of My Number Card authentications, which user attributes cannot be:
 * Cognito requires mapped attributes to be writable by the app clients, so whatever a person
 * can write through UpdateUserAttributes proves nothing. The proxy writes a record after it has
 * validated the OP's answer; the pre token generation trigger reads it.
 *
 * One DynamoDB table (encrypted with the tenant's KMS key):
 * - `card#<sub>`: the latest card authentication of the OP subject `sub` (pairwise): the
 *   verified attributes, acr, the OP's auth_time, the OP issuer, when it reached Cognito, and
 *   the pool user it is linked to. A write never replaces a newer authentication (conditional).
 * - `user#<username>`: the card subject linked to a pool user (set by the proxy when it links).
 * - `request#<id>`: a link request that was used (each is used once; removed by the table's TTL).
 * - `config#clients`: which verified claims each app client receives (set at deploy time).
 */
import type { AwsJsonClient } from './aws-json';
import { AwsCallError } from './aws-json';
import type { VerifiedAttributes } from './verified-claims';

export interface CardAuthentication {
  readonly sub: string;
  readonly attributes: VerifiedAttributes;
  readonly acr?: string;
  /** The OP's auth_time (seconds). */
  readonly authTime: number;
  readonly opIssuer: string;
  /** When the proxy answered Cognito with this authentication (seconds): the binding to the Cognito session. */
  readonly sessionTime: number;
  /** The pool user the card subject is linked to (a native user), when linked. */
  readonly linkedUser?: string;
  /** The sign-in's correlation id (security events only; says nothing of the person). */
  readonly correlationId?: string;
}

/** What each app client (by id) receives in verified_claims. */
export type ClientPolicy = Readonly<Record<string, readonly string[]>>;

export interface CardRecordStore {
  /** Stores an authentication unless a newer one of the same subject is stored; keeps the link. */
  putAuthentication(a: Omit<CardAuthentication, 'linkedUser'>): Promise<void>;
  getCard(sub: string): Promise<CardAuthentication | undefined>;
  /** The card subject linked to a pool user. */
  getLinkedSub(username: string): Promise<string | undefined>;
  /** Records a link of `sub` to `username` (both directions); a LinkConflictError if either is linked to another. */
  putLink(username: string, sub: string): Promise<void>;
  /** Undoes putLink (when the user pool refused the link). */
  removeLink(username: string, sub: string): Promise<void>;
  /** Marks a link request as used; false if it was used before. */
  consumeRequest(id: string): Promise<boolean>;
}

export class LinkConflictError extends Error {
  constructor() {
    super('the card subject is linked to another user');
    this.name = 'LinkConflictError';
  }
}

type Attr = { S: string } | { N: string };
const s = (v: string): Attr => ({ S: v });
const n = (v: number): Attr => ({ N: String(v) });

/** The store in DynamoDB, over its JSON 1.0 API (DynamoDB_20120810.*), signed with SigV4. */
export class DynamoCardRecordStore implements CardRecordStore {
  constructor(
    private readonly ddb: AwsJsonClient,
    private readonly table: string,
  ) {}

  /**
   * A conditional write: true when it was made, false when its condition failed (any other error
   * is thrown). Retried after throttling or a 5xx only when `idempotent`: when a repeat of a write
   * that was made (its answer lost) passes its condition again, or fails it to the same effect.
   */
  private async written(operation: 'PutItem' | 'UpdateItem', body: Record<string, unknown>, idempotent: boolean): Promise<boolean> {
    try {
      await this.ddb.call(`DynamoDB_20120810.${operation}`, { TableName: this.table, ...body }, { idempotent });
      return true;
    } catch (e) {
      if (e instanceof AwsCallError && e.type === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async putAuthentication(a: Omit<CardAuthentication, 'linkedUser'>): Promise<void> {
    // UpdateItem keeps `linkedUser`; the condition keeps a newer authentication (then nothing to
    // do). A repeat finds its own authTime, which the condition lets through.
    await this.written('UpdateItem', {
      Key: { pk: s(`card#${a.sub}`) },
      UpdateExpression:
        'SET attrs = :attrs, authTime = :authTime, opIssuer = :issuer, sessionTime = :sessionTime' + (a.correlationId ? ', correlationId = :cid' : '') + (a.acr ? ', acr = :acr' : ' REMOVE acr'),
      ConditionExpression: 'attribute_not_exists(authTime) OR authTime <= :authTime',
      ExpressionAttributeValues: {
        ':attrs': s(JSON.stringify(a.attributes)),
        ':authTime': n(a.authTime),
        ':issuer': s(a.opIssuer),
        ':sessionTime': n(a.sessionTime),
        ...(a.acr ? { ':acr': s(a.acr) } : {}),
        ...(a.correlationId ? { ':cid': s(a.correlationId) } : {}),
      },
    }, true);
  }

  async getCard(sub: string): Promise<CardAuthentication | undefined> {
    const r = await this.ddb.call<{ Item?: Record<string, { S?: string; N?: string }> }>('DynamoDB_20120810.GetItem', { TableName: this.table, Key: { pk: s(`card#${sub}`) }, ConsistentRead: true });
    const i = r.Item;
    if (!i?.authTime?.N || !i.attrs?.S || !i.opIssuer?.S || !i.sessionTime?.N) return undefined;
    return {
      sub,
      attributes: JSON.parse(i.attrs.S) as VerifiedAttributes,
      ...(i.acr?.S ? { acr: i.acr.S } : {}),
      authTime: Number(i.authTime.N),
      opIssuer: i.opIssuer.S,
      sessionTime: Number(i.sessionTime.N),
      ...(i.linkedUser?.S ? { linkedUser: i.linkedUser.S } : {}),
      ...(i.correlationId?.S ? { correlationId: i.correlationId.S } : {}),
    };
  }

  async getLinkedSub(username: string): Promise<string | undefined> {
    const r = await this.ddb.call<{ Item?: { sub?: { S?: string } } }>('DynamoDB_20120810.GetItem', { TableName: this.table, Key: { pk: s(`user#${username}`) }, ConsistentRead: true });
    return r.Item?.sub?.S;
  }

  async putLink(username: string, sub: string): Promise<void> {
    // Both conditions let the same link through again: each write can be repeated.
    const card = await this.written('UpdateItem', {
      Key: { pk: s(`card#${sub}`) },
      UpdateExpression: 'SET linkedUser = :u',
      ConditionExpression: 'attribute_not_exists(linkedUser) OR linkedUser = :u',
      ExpressionAttributeValues: { ':u': s(username) },
    }, true);
    if (!card) throw new LinkConflictError();
    const user = await this.written('PutItem', {
      Item: { pk: s(`user#${username}`), sub: s(sub) },
      ConditionExpression: 'attribute_not_exists(sub) OR sub = :s',
      ExpressionAttributeValues: { ':s': s(sub) },
    }, true);
    if (!user) {
      await this.removeLink(username, sub, true);
      throw new LinkConflictError();
    }
  }

  async removeLink(username: string, sub: string, cardOnly = false): Promise<void> {
    // Only this user's link (a condition that fails means there is none to remove, as after a
    // repeat of a removal that was made: both writes can be repeated).
    await this.written('UpdateItem', {
      Key: { pk: s(`card#${sub}`) },
      UpdateExpression: 'REMOVE linkedUser',
      ConditionExpression: 'linkedUser = :u',
      ExpressionAttributeValues: { ':u': s(username) },
    }, true);
    if (!cardOnly) await this.ddb.call('DynamoDB_20120810.DeleteItem', { TableName: this.table, Key: { pk: s(`user#${username}`) } }, { idempotent: true });
  }

  async consumeRequest(id: string): Promise<boolean> {
    // Kept a day (TTL attribute `expires`), well past the request's 2 minutes. Never repeated: a
    // repeat of a write that was made would fail its condition and call a first use a replay.
    return id !== '' && this.written('PutItem', { Item: { pk: s(`request#${id}`), expires: n(Math.floor(Date.now() / 1000) + 86_400) }, ConditionExpression: 'attribute_not_exists(pk)' }, false);
  }
}

/** Which verified claims each app client receives (written at deploy time; read by the trigger only). */
export async function clientPolicyOf(ddb: AwsJsonClient, table: string): Promise<ClientPolicy> {
  const r = await ddb.call<{ Item?: { clients?: { S?: string } } }>('DynamoDB_20120810.GetItem', { TableName: table, Key: { pk: s('config#clients') } });
  return r.Item?.clients?.S ? (JSON.parse(r.Item.clients.S) as ClientPolicy) : {};
}
