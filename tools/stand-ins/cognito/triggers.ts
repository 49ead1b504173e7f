/**
 * The user pool's Lambda triggers, invoked as Cognito invokes them: the real bundled handler
 * from the cloud assembly (tools/stand-ins/aws/lambda-host.ts), the documented event shape (version,
 * triggerSource, region, userPoolId, userName, callerContext, request, response), and a limit
 * of 5 seconds per invocation.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-identity-pools-working-with-aws-lambda-triggers.html
 */
import { FunctionError, LocalFunction } from '../aws/lambda-host';
import type { UserPoolModel } from './template';

/** Cognito waits 5 seconds for a trigger, then fails the operation. */
export const TRIGGER_TIMEOUT_MS = 5000;

/** An error a trigger raised (or its timeout), as Cognito reports it: `<Trigger> failed with error <message>.` */
export class TriggerError extends Error {
  constructor(readonly trigger: string, cause: string) {
    super(`${trigger} failed with error ${cause}.`);
    this.name = 'UserLambdaValidationException';
  }
}

export interface TriggerEvent {
  version: string;
  triggerSource: string;
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

export class Triggers {
  private readonly functions = new Map<string, LocalFunction>();

  constructor(
    private readonly pool: UserPoolModel,
    private readonly region: string,
    private readonly extraEnvironment: Readonly<Record<string, string>> = {},
    /** Whether the pool's LambdaConfig still names the trigger (UpdateUserPool may have left it out). */
    private readonly configured: (name: string) => boolean = () => true,
  ) {}

  has(name: string): boolean {
    return name in this.pool.triggers && this.configured(name);
  }

  /** The trigger's function, started on first use; a template synthesized without bundling has no code to run. */
  private functionOf(name: string): LocalFunction | undefined {
    const t = this.pool.triggers[name];
    if (!t) return undefined;
    let fn = this.functions.get(name);
    if (!fn) {
      if (!t.function.assetPath) throw new TriggerError(name, `function ${t.function.logicalId} has no bundled code in the cloud assembly (synthesize with bundling)`);
      fn = new LocalFunction({ codeDir: t.function.assetPath, handler: t.function.handler, functionName: t.function.logicalId, timeoutMs: t.function.timeoutSeconds * 1000, environment: { ...t.function.environment, ...this.extraEnvironment } });
      this.functions.set(name, fn);
    }
    return fn;
  }

  version(name: string): string | undefined {
    return this.pool.triggers[name]?.version;
  }

  /** Invokes a trigger if the pool has it; returns the event as the function returned it (or the event unchanged). */
  async invoke(name: string, e: Omit<TriggerEvent, 'region' | 'userPoolId' | 'callerContext' | 'version'> & { clientId: string; version?: string }): Promise<TriggerEvent> {
    const event: TriggerEvent = {
      version: e.version ?? '1',
      triggerSource: e.triggerSource,
      region: this.region,
      userPoolId: this.pool.id,
      userName: e.userName,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: e.clientId },
      request: e.request,
      response: e.response,
    };
    const fn = this.has(name) ? this.functionOf(name) : undefined;
    if (!fn) return event;
    try {
      const timeoutMs = Math.min(TRIGGER_TIMEOUT_MS, (this.pool.triggers[name]?.function.timeoutSeconds ?? 5) * 1000);
      const result = await fn.invoke(event, timeoutMs);
      if (!result || typeof result !== 'object') throw new TriggerError(name, 'Unrecognizable lambda output');
      return result as TriggerEvent;
    } catch (err) {
      if (err instanceof TriggerError) throw err;
      throw new TriggerError(name, err instanceof FunctionError ? err.message : String(err));
    }
  }

  async close() {
    await Promise.all([...this.functions.values()].map((f) => f.close()));
  }
}
