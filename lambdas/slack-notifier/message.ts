/**
 * The Slack message of one security event: chat.postMessage's body (channel, a plain `text`
 * fallback and Block Kit `blocks`), in Japanese and English. Only the event's identifier fields
 * go into it (tenant, type, reason, component, time, id, schema: each held to a pattern at its
 * source, lambdas/shared/security-events.ts), never anything personal.
 */
import { SEVERITIES, SEVERITY_LABELS, type Severity } from '../shared/security-events';

/** The readable label of a severity in messages to people (Japanese / English); the operators' email uses it too. */

const ICONS: Record<Severity, string> = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' };

/** The event's fields the message shows. */
export interface MessageFields {
  readonly schema: string;
  readonly id: string;
  readonly time: string;
  readonly tenant: string;
  readonly component: string;
  readonly type: string;
  readonly severity: Severity;
  readonly reason: string;
}

/** The body Slack's chat.postMessage takes (JSON). */
export interface SlackMessage {
  readonly channel: string;
  readonly text: string;
  readonly blocks: ReadonlyArray<Record<string, unknown>>;
}

export class MalformedEventError extends Error {
  constructor(field: string) {
    // The field's name only, never its value.
    super(`the event's detail.${field} is missing or not an identifier`);
    this.name = 'MalformedEventError';
  }
}

// What an identifier field of the schema may hold: no space, quote, angle bracket or control
// character (Slack's mrkdwn gives `<`, `>` and `&` a meaning), at most 64 characters (an id, a time).
const IDENTIFIER = /^[A-Za-z0-9_.:/+-]{1,64}$/;

/** The fields of an EventBridge event's `detail`, checked; MalformedEventError names the first that does not fit. */
export function messageFields(detail: unknown): MessageFields {
  const d = (detail && typeof detail === 'object' ? detail : {}) as Record<string, unknown>;
  const field = (k: keyof MessageFields) => {
    const v = d[k];
    if (typeof v !== 'string' || !IDENTIFIER.test(v)) throw new MalformedEventError(k);
    return v;
  };
  const severity = field('severity');
  if (!(SEVERITIES as readonly string[]).includes(severity)) throw new MalformedEventError('severity');
  return { schema: field('schema'), id: field('id'), time: field('time'), tenant: field('tenant'), component: field('component'), type: field('type'), severity: severity as Severity, reason: field('reason') };
}

/** chat.postMessage's body for one event. */
export function slackMessage(channel: string, e: MessageFields): SlackMessage {
  const label = SEVERITY_LABELS[e.severity];
  return {
    channel,
    text: `${ICONS[e.severity]} myna-idp ${e.tenant}: ${e.type} (${e.reason}) — ${label}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${label}: ${e.type}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*テナント / tenant*\n${e.tenant}` },
          { type: 'mrkdwn', text: `*理由 / reason*\n${e.reason}` },
          { type: 'mrkdwn', text: `*発生元 / component*\n${e.component}` },
          { type: 'mrkdwn', text: `*時刻 / time (UTC)*\n${e.time}` },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `event ${e.id} · schema ${e.schema}` }] },
    ],
  };
}
