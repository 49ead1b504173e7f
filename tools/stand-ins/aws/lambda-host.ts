/**
 * Runs a bundled Lambda function from the cloud assembly (`asset.<hash>/index.mjs`, the code
 * `cdk deploy` uploads) on this machine, as the Lambda runtime would: in its own worker thread
 * with its own environment (the function's variables from the template plus the runtime's own),
 * a cold start on the first invocation, the handler called with (event, context), and the
 * function's timeout enforced by ending the worker (the next invocation starts cold again). As the
 * Node.js runtime provides the AWS SDK v3, which the bundles leave out, an import of
 * `@aws-sdk/...` that the code's own folder cannot resolve is resolved from this project's
 * node_modules (docs/aws-client-facts.md §5).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface LocalFunctionOptions {
  /** The folder of the bundled code. */
  readonly codeDir: string;
  /** `<file>.<export>` as in the template (index.handler). */
  readonly handler: string;
  readonly functionName: string;
  readonly timeoutMs: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Each line the function writes to stdout or stderr (its CloudWatch Logs). Default: kept in `logLines` only. */
  readonly log?: (line: string) => void;
}

export class FunctionError extends Error {
  constructor(message: string, readonly errorType: string) {
    super(message);
    this.name = 'FunctionError';
  }
}

// The worker: imports the handler once (the cold start), then answers each invocation.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { registerHooks, register } = require('node:module');
// The runtime's SDK: an @aws-sdk/* import the bundle's folder cannot resolve, from the project.
const retryFromProject = (specifier, context, next, notFound) => {
  if (!specifier.startsWith('@aws-sdk/')) throw notFound;
  return next(specifier, { ...context, parentURL: workerData.sdkFrom });
};
if (registerHooks) {
  registerHooks({ resolve(s, c, next) { try { return next(s, c); } catch (e) { return retryFromProject(s, c, next, e); } } });
} else {
  // Node.js before 22.15: the same as an asynchronous hook.
  register('data:text/javascript,' + encodeURIComponent('let from; export function initialize(d) { from = d; } export async function resolve(s, c, next) { try { return await next(s, c); } catch (e) { if (!s.startsWith("@aws-sdk/")) throw e; return next(s, { ...c, parentURL: from }); } }'), { data: workerData.sdkFrom });
}
let handler;
parentPort.on('message', async ({ id, event, context }) => {
  try {
    if (!handler) {
      const mod = await import(workerData.url);
      handler = mod[workerData.exportName];
      if (typeof handler !== 'function') throw Object.assign(new Error('Runtime.HandlerNotFound: ' + workerData.exportName + ' is not a function'), { name: 'Runtime.HandlerNotFound' });
    }
    const deadline = Date.now() + context.timeoutMs;
    const result = await handler(event, { ...context, getRemainingTimeInMillis: () => deadline - Date.now() });
    parentPort.postMessage({ id, result });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: String(e && e.message || e), type: (e && e.name) || 'Error' } });
  }
});
`;

/** Where the runtime's SDK is resolved from: this project (its package.json). */
const SDK_FROM = new URL('../../../package.json', import.meta.url).href;

export class LocalFunction {
  /** Execution environments that are warm and free; each serves one invocation at a time, as in Lambda. */
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly entry: string;
  /** Invocations and cold starts, for tests and benchmarks. */
  readonly stats = { invocations: 0, coldStarts: 0 };

  constructor(private readonly o: LocalFunctionOptions) {
    this.entry = entryOf(o);
  }

  /** The function's latest log lines (at most 500). */
  readonly logLines: string[] = [];

  private logLine(line: string) {
    if (!line) return;
    this.logLines.push(line);
    if (this.logLines.length > 500) this.logLines.shift();
    this.o.log?.(line);
  }

  private start(): Worker {
    const [, exportName] = splitHandler(this.o.handler);
    const env = {
      AWS_REGION: process.env.AWS_REGION ?? 'ap-northeast-1',
      AWS_LAMBDA_FUNCTION_NAME: this.o.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      TZ: ':UTC',
      NODE_OPTIONS: '',
      PATH: process.env.PATH ?? '',
      ...this.o.environment,
    };
    // What the function writes is its log, as in Lambda: caught here, not mixed into this process's output.
    const worker = new Worker(WORKER, { eval: true, env, workerData: { url: pathToFileURL(this.entry).href, exportName, sdkFrom: SDK_FROM }, stdout: true, stderr: true });
    for (const stream of [worker.stdout, worker.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) this.logLine(line);
      });
    }
    worker.unref();
    this.all.add(worker);
    worker.once('exit', () => {
      this.all.delete(worker);
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
    });
    this.stats.coldStarts++;
    return worker;
  }

  /** Invokes the handler with `event` in a free execution environment (a new one, cold, when none is free); rejects with a FunctionError on an error, a timeout or a crash. */
  invoke(event: unknown, timeoutMs = this.o.timeoutMs): Promise<unknown> {
    this.stats.invocations++;
    const worker = this.idle.pop() ?? this.start();
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: { id: string; result?: unknown; error?: { message: string; type: string } }) => {
        if (m.id !== id) return;
        done();
        this.idle.push(worker);
        if (m.error) reject(new FunctionError(m.error.message, m.error.type));
        else resolve(m.result);
      };
      const onError = (e: Error) => (done(), reject(new FunctionError(e.message, 'Runtime.ExitError')));
      const onExit = () => (done(), reject(new FunctionError('the function exited', 'Runtime.ExitError')));
      const timer = setTimeout(() => {
        done();
        reject(new FunctionError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, 'Sandbox.Timedout'));
        // Lambda ends the execution environment that timed out (only that one).
        void worker.terminate();
      }, timeoutMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, event, context: { functionName: this.o.functionName, awsRequestId: id, timeoutMs, memoryLimitInMB: '128', invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${this.o.functionName}` } });
    });
  }

  async close(): Promise<void> {
    const workers = [...this.all];
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function entryOf(o: LocalFunctionOptions): string {
  const [file] = splitHandler(o.handler);
  const entry = ['.mjs', '.js', '.cjs'].map((ext) => path.join(o.codeDir, `${file}${ext}`)).find((c) => fs.existsSync(c));
  if (!entry) throw new Error(`${o.functionName}: no ${file}.mjs or ${file}.js in ${o.codeDir} (synthesize with bundling)`);
  return entry;
}

function splitHandler(handler: string): [string, string] {
  const i = handler.lastIndexOf('.');
  if (i <= 0) throw new Error(`handler "${handler}" is not <file>.<export>`);
  return [handler.slice(0, i), handler.slice(i + 1)];
}
