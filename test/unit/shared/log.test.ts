/** The JSON log (lambdas/shared/log.ts): the logger's own keys cannot be overwritten by a caller's fields. */
import { jsonLog } from '../../../lambdas/shared/log';

function capture(persistent: Record<string, unknown> = {}, level: 'INFO' | 'WARN' = 'INFO') {
  const lines: string[] = [];
  const log = jsonLog('jpki-federation-proxy', persistent, level, (l) => void lines.push(l));
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, parsed };
}

const forged = { level: 'INFO', message: 'all is well', timestamp: '2000-01-01T00:00:00.000Z', service: 'another-service' };

describe('jsonLog', () => {
  test('GIVEN fields named like the logger’s own keys WHEN an error is logged THEN level, message, timestamp and service are the logger’s; the caller’s values are kept as field_<key>', () => {
    const { log, lines, parsed } = capture({ tenant: 'acme' });
    const before = Date.now();
    log.error('internal error', { ...forged, correlationId: 'abc' });
    const after = Date.now();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'ERROR', message: 'internal error', service: 'jpki-federation-proxy', tenant: 'acme', correlationId: 'abc' });
    expect(Date.parse(line!.timestamp as string)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(line!.timestamp as string)).toBeLessThanOrEqual(after);
    expect(line).toMatchObject({ field_level: 'INFO', field_message: 'all is well', field_timestamp: '2000-01-01T00:00:00.000Z', field_service: 'another-service' });
  });

  test('GIVEN persistent fields named like the logger’s own keys WHEN a warning is logged THEN the logger’s keys still win', () => {
    const { log, parsed } = capture({ ...forged, tenant: 'acme' });
    log.warn('a security event could not be published');
    expect(parsed()).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'a security event could not be published', service: 'jpki-federation-proxy', tenant: 'acme', field_level: 'INFO', field_service: 'another-service' }),
    ]);
    expect(parsed()[0]!.timestamp).not.toBe(forged.timestamp);
  });

  test('the logger’s keys come first; other fields pass through as given, a call’s over the persistent ones', () => {
    const { log, lines } = capture({ tenant: 'acme', region: 'ap-northeast-1' });
    log.info('signed in', { tenant: 'other', count: 2 });
    expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['level', 'message', 'timestamp', 'service', 'tenant', 'region', 'count']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ tenant: 'other', region: 'ap-northeast-1', count: 2 });
  });

  test('lines below the level are not written', () => {
    const { log, parsed } = capture({}, 'WARN');
    log.info('quiet', { level: 'ERROR' });
    log.warn('loud');
    expect(parsed().map((l) => [l.level, l.message])).toEqual([['WARN', 'loud']]);
  });
});
