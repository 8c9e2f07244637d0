import { createLogger, createMetrics } from '../../lambdas/watchdog/telemetry';

const T = Date.parse('2026-12-06T10:00:00.000Z');

describe('the watchdog’s logs', () => {
  it('writes one JSON line per entry with level, message, service, the appended keys and the extra fields', () => {
    const lines: string[] = [];
    const log = createLogger({
      serviceName: 'switchback-watchdog',
      env: {},
      write: (l) => lines.push(l),
      now: () => T,
    });
    log.appendKeys({ invocationId: 'run-1' });
    log.warn('event rejected', { reason: 'bad' });
    log.resetKeys();
    log.info('after');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        level: 'WARN',
        message: 'event rejected',
        timestamp: '2026-12-06T10:00:00.000Z',
        service: 'switchback-watchdog',
        invocationId: 'run-1',
        reason: 'bad',
      },
      {
        level: 'INFO',
        message: 'after',
        timestamp: '2026-12-06T10:00:00.000Z',
        service: 'switchback-watchdog',
      },
    ]);
  });

  it.each([
    ['WARN', { SWITCHBACK_LOG_LEVEL: 'warn' }, ['WARN', 'ERROR']],
    ['Lambda’s own level', { AWS_LAMBDA_LOG_LEVEL: 'ERROR' }, ['ERROR']],
    ['SILENT', { SWITCHBACK_LOG_LEVEL: 'SILENT' }, []],
    ['an unknown level (INFO)', { SWITCHBACK_LOG_LEVEL: 'LOUD' }, ['INFO', 'WARN', 'ERROR']],
  ])('honours the level: %s', (_name, env, levels) => {
    const lines: string[] = [];
    const log = createLogger({ serviceName: 's', env, write: (l) => lines.push(l) });
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(levels);
  });
});

describe('the watchdog’s metrics (CloudWatch embedded metric format)', () => {
  it('publishes the stored metrics as one EMF document per flush, values of a repeated metric as a list', () => {
    const lines: string[] = [];
    const metrics = createMetrics({
      namespace: 'Switchback',
      serviceName: 'switchback-watchdog',
      env: {},
      write: (l) => lines.push(l),
      now: () => T,
    });
    metrics.addDimension('ProtectedService', 'checkout');
    metrics.addMetric('TimeToRollback', 'Milliseconds', 812);
    metrics.addMetric('Decision_skipped', 'Count', 1);
    metrics.addMetric('Decision_skipped', 'Count', 1);
    metrics.publishStoredMetrics();
    metrics.publishStoredMetrics(); // nothing stored: nothing written

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [
          {
            Namespace: 'Switchback',
            Dimensions: [['service', 'ProtectedService']],
            Metrics: [
              { Name: 'TimeToRollback', Unit: 'Milliseconds' },
              { Name: 'Decision_skipped', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'switchback-watchdog',
      ProtectedService: 'checkout',
      TimeToRollback: 812,
      Decision_skipped: [1, 1],
    });
  });

  it('writes nothing when metrics are disabled', () => {
    const lines: string[] = [];
    const metrics = createMetrics({
      namespace: 'N',
      serviceName: 's',
      env: { SWITCHBACK_METRICS_DISABLED: 'true' },
      write: (l) => lines.push(l),
    });
    metrics.addMetric('TimeToRollback', 'Milliseconds', 1);
    metrics.publishStoredMetrics();
    expect(lines).toEqual([]);
  });
});
