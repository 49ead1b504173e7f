/**
 * A local stand-in for EventBridge's PutEvents on the tenant's bus: what the proxy and the
 * triggers publish in the sandbox and the tests. Unlike EventBridge it checks every entry
 * against the security event schema (version 1): an entry that does not conform is refused
 * (`InvalidSecurityEvent`, counted as the publisher's failure) and kept apart, so a test or a
 * newcomer sees it. It keeps the events in memory and shows them on a page (`/events`).
 */
import { checkEntry } from '../../../lambdas/event-ingest/security-event-schema';
import { escapeHtml } from '../../../lambdas/federation-proxy/web/html';
import type { SecurityEventDetail } from '../../../lambdas/shared/security-events';

export interface RefusedEntry {
  readonly entry: unknown;
  readonly problem: string;
}

export class EventBusStandIn {
  readonly events: SecurityEventDetail[] = [];
  readonly refused: RefusedEntry[] = [];
  private readonly listeners = new Set<(e: SecurityEventDetail) => void>();

  /** Bus names that exist (empty: any name). */
  constructor(readonly busNames: ReadonlySet<string> = new Set()) {}

  onEvent(listener: (e: SecurityEventDetail) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** AWSEvents.PutEvents: at most 10 entries, each answered in order (EventId or ErrorCode). */
  putEvents(body: { Entries?: unknown[] }): { status: number; body: unknown } {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      return { status: 400, body: { __type: 'ValidationException', message: 'Entries must hold 1 to 10 entries' } };
    }
    let failed = 0;
    const answers = entries.map((entry) => {
      const checked = checkEntry(entry);
      if (!checked.ok) {
        failed += 1;
        this.refused.push({ entry, problem: checked.problem });
        return { ErrorCode: 'InvalidSecurityEvent', ErrorMessage: 'the entry is not a myna-idp security event (version 1)' };
      }
      if (this.busNames.size > 0 && !this.busNames.has(checked.busName)) {
        failed += 1;
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${checked.busName} does not exist.` };
      }
      const detail = checked.detail as SecurityEventDetail;
      this.events.push(detail);
      for (const l of this.listeners) l(detail);
      return { EventId: detail.id };
    });
    return { status: 200, body: { FailedEntryCount: failed, Entries: answers } };
  }
}

/** The sandbox's page of events, newest first (reloads every 2 seconds). */
export function eventsPageHtml(events: readonly SecurityEventDetail[], refused: number): string {
  const rows = [...events]
    .reverse()
    .map(
      (e) =>
        `<tr class="${e.severity}"><td>${escapeHtml(e.time)}</td><td>${escapeHtml(e.severity)}</td><td>${escapeHtml(e.component)}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.reason)}</td><td>${escapeHtml(e.clientId ?? '')}</td><td><code>${escapeHtml(e.correlationId ?? '')}</code></td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>セキュリティイベント / Security events</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;font-size:.9rem}.warning{background:#fff6e0}.critical{background:#fde8e8}</style></head>
<body><h1>セキュリティイベント / Security events</h1>
<p>What the tenant's event bus receives (schema myna-idp.security-event/1), newest first. ${events.length} event(s)${refused ? `, <strong>${refused} refused as not conforming</strong>` : ''}. JSON: <a href="/events.json">/events.json</a></p>
<table><thead><tr><th>time</th><th>severity</th><th>component</th><th>type</th><th>reason</th><th>client</th><th>correlation id</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}
