/**
 * Structured log lines (one JSON object per line on stdout, which CloudWatch Logs and Logs
 * Insights read as fields). Written here rather than with Powertools Logger: the proxy needs
 * nothing but level, message and fields (what the logger would cost it: docs/proxy-bundle.md).
 *
 * What reaches a log is decided by the caller: never personal data, tokens or secrets. Errors
 * go through `errorFields`, which keeps the message only of errors whose messages are fixed.
 */
import { ConfigurationError } from './configuration-error';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The keys the logger writes itself. */
const OWN_KEYS = ['level', 'message', 'timestamp', 'service'] as const;

export function jsonLog(service: string, persistent: Record<string, unknown>, level: LogLevel = 'INFO', write = (line: string) => void process.stdout.write(line)): Log {
  const at = (l: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[l] < ORDER[level]) return;
    // The logger's own keys always win: lines are found by them (a Logs Insights query for
    // level ERROR, say), so a caller's `level: 'INFO'` must not hide an error, nor a `service`
    // pass one function's lines for another's. A colliding value is kept as `field_<key>` rather
    // than dropped (it may be the clue to a fault), and never thrown on: logging must not fail.
    const rest: Record<string, unknown> = { ...persistent, ...fields };
    for (const k of OWN_KEYS) {
      if (Object.hasOwn(rest, k)) {
        rest[`field_${k}`] = rest[k];
        delete rest[k];
      }
    }
    write(`${JSON.stringify({ level: l, message, timestamp: new Date().toISOString(), service, ...rest })}\n`);
  };
  return { info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/**
 * What an error may show in a log: its name and where it was thrown. The message only when it
 * is one of ours with a fixed text: others may quote input (a JSON parse error quotes the
 * text it failed on, which could be a secret).
 */
export function errorFields(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) {
    // An error of another realm (a DOMException such as fetch's TimeoutError) is no instance of this one's Error.
    const name = e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name.slice(0, 64) : typeof e;
    return { name };
  }
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).map((l) => l.trim());
  return { name: e.name, ...(e instanceof ConfigurationError ? { message: e.message } : {}), frames };
}
