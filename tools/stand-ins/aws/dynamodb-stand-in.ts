/**
 * The DynamoDB operations the product makes (GetItem, PutItem, DeleteItem, UpdateItem), for
 * the local AWS stand-in: items keyed by their `pk`, the update expressions
 * `[SET a = :x, …] [REMOVE b, …]` and conditions of the form
 * `attribute_not_exists(a) OR a <op> :x` (op: =, <, <=, >, >=), as the DynamoDB API evaluates
 * them; anything else is a ValidationException, so a new expression in product code cannot pass
 * here unchecked. Never deployed.
 */
type Value = { S?: string; N?: string };
type Item = Record<string, Value>;

export class DynamoError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

const compare = (a: Value, b: Value): number => (a.N !== undefined && b.N !== undefined ? Number(a.N) - Number(b.N) : String(a.S ?? a.N).localeCompare(String(b.S ?? b.N)));

function condition(expr: string | undefined, item: Item | undefined, values: Record<string, Value>): boolean {
  if (!expr) return true;
  return expr.split(/\s+OR\s+/).some((term) => {
    const notExists = /^attribute_not_exists\((\w+)\)$/.exec(term.trim());
    if (notExists) return !item || item[notExists[1]!] === undefined;
    const cmp = /^(\w+)\s*(<=|>=|=|<|>)\s*(:\w+)$/.exec(term.trim());
    if (!cmp) throw new DynamoError('ValidationException', `the stand-in does not evaluate the condition ${term}`);
    const [, name, op, ref] = cmp as unknown as [string, string, string, string];
    const left = item?.[name];
    const right = values[ref];
    if (!left || !right) return false;
    const c = compare(left, right);
    return op === '=' ? c === 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  });
}

function update(expr: string, item: Item, values: Record<string, Value>): Item {
  const out = { ...item };
  const m = /^(?:SET\s+(.+?))?(?:\s*REMOVE\s+(.+))?$/.exec(expr.trim());
  if (!m || (!m[1] && !m[2])) throw new DynamoError('ValidationException', `the stand-in does not evaluate the update ${expr}`);
  for (const part of m[1]?.split(',') ?? []) {
    const set = /^\s*(\w+)\s*=\s*(:\w+)\s*$/.exec(part);
    if (!set || !values[set[2]!]) throw new DynamoError('ValidationException', `invalid SET ${part}`);
    out[set[1]!] = values[set[2]!]!;
  }
  for (const name of m[2]?.split(',') ?? []) delete out[name.trim()];
  return out;
}

export class DynamoStandIn {
  readonly tables = new Map<string, Map<string, Item>>();

  private table(name: unknown) {
    if (typeof name !== 'string' || !name) throw new DynamoError('ValidationException', 'TableName is required');
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }

  private static key(key: unknown): string {
    const pk = (key as { pk?: Value } | undefined)?.pk?.S;
    if (!pk) throw new DynamoError('ValidationException', 'the key must be { pk: { S } }');
    return pk;
  }

  handle(operation: string, body: Record<string, any>): unknown {
    const t = this.table(body.TableName);
    const values = (body.ExpressionAttributeValues ?? {}) as Record<string, Value>;
    switch (operation) {
      case 'GetItem': {
        const item = t.get(DynamoStandIn.key(body.Key));
        return item ? { Item: item } : {};
      }
      case 'PutItem': {
        const k = DynamoStandIn.key(body.Item);
        if (!condition(body.ConditionExpression, t.get(k), values)) throw new DynamoError('ConditionalCheckFailedException', 'The conditional request failed');
        t.set(k, body.Item as Item);
        return {};
      }
      case 'DeleteItem':
        t.delete(DynamoStandIn.key(body.Key));
        return {};
      case 'UpdateItem': {
        const k = DynamoStandIn.key(body.Key);
        const old = t.get(k);
        if (!condition(body.ConditionExpression, old, values)) throw new DynamoError('ConditionalCheckFailedException', 'The conditional request failed');
        t.set(k, update(String(body.UpdateExpression ?? ''), { ...(old ?? {}), pk: { S: k } }, values));
        return {};
      }
      default:
        throw new DynamoError('UnknownOperationException', `the stand-in does not implement ${operation}`);
    }
  }
}
