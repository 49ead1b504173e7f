/**
 * What a deployed template's values become, for tests that hold them to AWS's rules: intrinsic
 * functions resolved the way CloudFormation returns them (Ref and Fn::GetAtt per resource type,
 * as each type's CloudFormation reference page gives its return values), and resource policies
 * evaluated the way IAM's policy evaluation logic does (an explicit Deny wins, then an Allow,
 * otherwise denied).
 */

export interface Deployment {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

/** A template's value with its intrinsic functions resolved for one account and Region. */
export function resolve(template: Template, value: unknown, d: Deployment): any {
  const partition = d.partition ?? 'aws';
  const res = (id: string) => {
    const r = template.Resources[id];
    if (!r) throw new Error(`no resource ${id}`);
    return r;
  };
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${d.region}:${d.account}:${resource}`;
  const nameOf = (id: string, key: string) => String(resolve(template, res(id).Properties?.[key] ?? id, d));
  const ref = (id: string): string => {
    const pseudo: Record<string, string> = { 'AWS::Region': d.region, 'AWS::AccountId': d.account, 'AWS::Partition': partition, 'AWS::URLSuffix': 'amazonaws.com' };
    if (pseudo[id]) return pseudo[id]!;
    const r = res(id);
    switch (r.Type) {
      case 'AWS::SNS::Topic':
        return arn('sns', nameOf(id, 'TopicName'));
      case 'AWS::Logs::LogGroup':
        return nameOf(id, 'LogGroupName');
      case 'AWS::Events::EventBus':
        return nameOf(id, 'Name');
      case 'AWS::S3::Bucket':
        return nameOf(id, 'BucketName');
      default:
        return id;
    }
  };
  const getAtt = (id: string, attr: string): string => {
    const r = res(id);
    if (attr !== 'Arn') throw new Error(`resolve: Fn::GetAtt ${id}.${attr} is not modelled`);
    switch (r.Type) {
      case 'AWS::Logs::LogGroup':
        // "arn:aws:logs:us-west-1:123456789012:log-group:/mystack-testgroup-12ABC1AB12A1:*"
        return arn('logs', `log-group:${nameOf(id, 'LogGroupName')}:*`);
      case 'AWS::Events::Rule': {
        const bus = r.Properties?.EventBusName ? String(resolve(template, r.Properties.EventBusName, d)) : undefined;
        return arn('events', `rule/${bus && bus !== 'default' ? `${bus}/` : ''}${nameOf(id, 'Name')}`);
      }
      case 'AWS::CloudWatch::Alarm':
        return arn('cloudwatch', `alarm:${nameOf(id, 'AlarmName')}`);
      case 'AWS::KMS::Key':
        return arn('kms', `key/${id}`);
      case 'AWS::SQS::Queue':
        return arn('sqs', id);
      case 'AWS::Events::EventBus':
        return arn('events', `event-bus/${nameOf(id, 'Name')}`);
      case 'AWS::S3::Bucket':
        return `arn:${partition}:s3:::${nameOf(id, 'BucketName')}`;
      default:
        return `arn:${partition}:unmodelled:${d.region}:${d.account}:${id}`;
    }
  };
  const walk = (v: unknown): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, args] = entries[0]!;
      if (fn === 'Ref') return ref(String(args));
      if (fn === 'Fn::GetAtt') {
        const [id, attr] = (typeof args === 'string' ? args.split('.') : args) as [string, string];
        return getAtt(id, attr);
      }
      if (fn === 'Fn::Join') {
        const [sep, parts] = args as [string, unknown[]];
        return (walk(parts) as unknown[]).join(sep);
      }
      if (fn === 'Fn::Sub') {
        const s = typeof args === 'string' ? args : (args as [string])[0];
        return s.replace(/\$\{([^}]+)\}/g, (_, name: string) => String(name.includes('.') ? getAtt(...(name.split('.') as [string, string])) : ref(name)));
      }
      if (fn.startsWith('Fn::')) throw new Error(`resolve: ${fn} is not modelled`);
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

export interface PolicyRequest {
  /** The calling service principal (`cloudwatch.amazonaws.com`), or an AWS principal ARN. */
  readonly principal: { service: string } | { aws: string };
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (`aws:SourceArn`, `aws:SourceAccount`, `aws:SecureTransport` …). */
  readonly context: Record<string, string | undefined>;
}

/** IAM's wildcard match: `*` any run, `?` one character. */
const globMatch = (pattern: string, value: string, caseless = false) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseless ? 'i' : '').test(value);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function principalMatches(p: any, req: PolicyRequest): boolean {
  if (p === '*') return true;
  if ('service' in req.principal) return list(p?.Service).includes(req.principal.service) || list(p?.AWS).includes('*');
  return list(p?.AWS).some((a) => a === '*' || a === (req.principal as { aws: string }).aws);
}

/** One condition operator over the request's keys; an unknown operator fails closed (the test then says which). */
function conditionHolds(op: string, block: Record<string, unknown>, ctx: PolicyRequest['context']): boolean {
  return Object.entries(block).every(([key, want]) => {
    const have = ctx[key];
    const wants = list(want);
    switch (op) {
      case 'StringEquals':
      case 'ArnEquals':
        return have !== undefined && wants.includes(have);
      case 'StringLike':
      case 'ArnLike':
        return have !== undefined && wants.some((w) => globMatch(w, have));
      case 'StringNotEquals':
        return have === undefined || !wants.includes(have);
      case 'Bool':
        return have !== undefined && wants.includes(have);
      default:
        throw new Error(`evaluate: condition operator ${op} is not modelled`);
    }
  });
}

/** Allow or Deny, as IAM's evaluation logic decides it for one resource policy. */
export function evaluate(policy: { Statement: any[] }, req: PolicyRequest): 'Allow' | 'Deny' {
  const applies = (st: any) =>
    principalMatches(st.Principal, req) &&
    list(st.Action).some((a) => globMatch(a, req.action, true)) &&
    list(st.Resource).some((r) => globMatch(r, req.resource)) &&
    Object.entries<Record<string, unknown>>(st.Condition ?? {}).every(([op, block]) => conditionHolds(op, block, req.context));
  const matching = policy.Statement.filter(applies);
  if (matching.some((st) => st.Effect === 'Deny')) return 'Deny';
  return matching.some((st) => st.Effect === 'Allow') ? 'Allow' : 'Deny';
}
