import fc from 'fast-check';
import { parseWatchdogEvent } from '../../lambdas/watchdog/events';
import { alarmArn, directAlarmEvent, eventBridgeAlarmEvent, iso, snsAlarmEvent, T0 } from './fixtures';

describe('parsing alarm state changes', () => {
  it.each([
    ['SNS', snsAlarmEvent('checkout-5xx', 'ALARM', T0), 'sns'],
    ['EventBridge', eventBridgeAlarmEvent('checkout-5xx', 'ALARM', T0), 'eventbridge'],
    ['a direct alarm action', directAlarmEvent('checkout-5xx', 'ALARM', T0), 'alarm-action'],
  ])('reads the alarm, its new state and the change time from %s', (_path, raw, source) => {
    expect(parseWatchdogEvent(raw)).toEqual({
      ok: true,
      event: expect.objectContaining({
        kind: 'alarm',
        source,
        alarmName: 'checkout-5xx',
        alarmArn: alarmArn('checkout-5xx'),
        state: 'ALARM',
        previousState: 'OK',
        stateChangedAt: iso(T0),
      }),
    });
  });

  it('gives one state change the same id on every delivery path, and a new change a new id', () => {
    const ids = [
      snsAlarmEvent('a', 'ALARM', T0),
      eventBridgeAlarmEvent('a', 'ALARM', T0),
      directAlarmEvent('a', 'ALARM', T0),
    ].map((raw) => {
      const parsed = parseWatchdogEvent(raw);
      return parsed.ok && parsed.event.kind === 'alarm' ? parsed.event.eventId : undefined;
    });
    const later = parseWatchdogEvent(snsAlarmEvent('a', 'ALARM', T0 + 60_000));

    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(later.ok && later.event.kind === 'alarm' && later.event.eventId).not.toBe(ids[0]);
  });
});

describe('parsing other events', () => {
  it('reads a scheduled health-ping run', () => {
    const raw = {
      version: '0',
      id: 'x',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-21T12:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: {},
    };

    expect(parseWatchdogEvent(raw)).toEqual({
      ok: true,
      event: { kind: 'health-ping', scheduledAt: '2026-11-21T12:00:00.000Z' },
    });
  });

  it('reads manual rollback, capture and status requests', () => {
    expect(
      parseWatchdogEvent({
        action: 'rollback',
        reason: 'checkout errors',
        requestedBy: 'alice',
        dryRun: true,
        requestId: 'req-12345678',
      }),
    ).toEqual({
      ok: true,
      event: {
        kind: 'rollback',
        reason: 'checkout errors',
        requestedBy: 'alice',
        dryRun: true,
        eventId: 'manual-req-12345678',
      },
    });
    expect(parseWatchdogEvent({ action: 'rollback', reason: 'x', requestedBy: 'bob' })).toEqual({
      ok: true,
      event: { kind: 'rollback', reason: 'x', requestedBy: 'bob', dryRun: false },
    });
    expect(parseWatchdogEvent({ action: 'capture', releaseId: 'v1.4.2' })).toEqual({
      ok: true,
      event: { kind: 'capture', releaseId: 'v1.4.2' },
    });
    expect(parseWatchdogEvent({ action: 'status' })).toEqual({ ok: true, event: { kind: 'status' } });
    expect(
      parseWatchdogEvent({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'alice', reason: 'fixed' }),
    ).toEqual({
      ok: true,
      event: { kind: 'acknowledge', releaseId: 'r1', requestedBy: 'alice', reason: 'fixed' },
    });
  });
});

describe('rejecting malformed events', () => {
  it.each([
    ['null', null, 'not a JSON object'],
    ['an array', [1, 2], 'not a JSON object'],
    ['an unknown shape', { hello: 'world' }, 'unknown event shape'],
    ['an unknown action', { action: 'delete-everything' }, 'unknown action "delete-everything"'],
    [
      'a rollback without a reason',
      { action: 'rollback', requestedBy: 'alice' },
      'malformed a manual rollback: reason',
    ],
    [
      'a rollback with an extra field',
      { action: 'rollback', reason: 'x', requestedBy: 'a', force: true },
      'malformed a manual rollback',
    ],
    [
      'a capture with a bad release id',
      { action: 'capture', releaseId: 'has spaces' },
      'releaseId: must be 1-128 letters',
    ],
    [
      'an SNS message that is not JSON',
      { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'not json' } }] },
      'SNS message is not JSON',
    ],
    [
      'an SNS message that is not an alarm',
      { Records: [{ EventSource: 'aws:sns', Sns: { Message: '{"foo":1}' } }] },
      'malformed an alarm notification in the SNS message',
    ],
    [
      'two SNS records',
      {
        Records: [
          { EventSource: 'aws:sns', Sns: { Message: '{}' } },
          { EventSource: 'aws:sns', Sns: { Message: '{}' } },
        ],
      },
      'SNS delivers one record per invocation',
    ],
    [
      'an alarm with an unknown state',
      (() => {
        const e = eventBridgeAlarmEvent('a', 'ALARM', T0);
        e.detail.state.value = 'BROKEN';
        return e;
      })(),
      'detail.state.value',
    ],
    [
      'an alarm with a bad timestamp',
      (() => {
        const e = directAlarmEvent('a', 'ALARM', T0);
        e.alarmData.state.timestamp = 'yesterday';
        return e;
      })(),
      'must be a timestamp',
    ],
  ])('rejects %s with a reason', (_case, raw, reason) => {
    const parsed = parseWatchdogEvent(raw);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('never throws on any JSON value, and never yields an action from noise', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseWatchdogEvent(value);
        // Random JSON essentially never forms a valid event; if it does, it must be a well-typed one.
        return parsed.ok
          ? ['alarm', 'health-ping', 'rollback', 'capture', 'status'].includes(parsed.event.kind)
          : parsed.reason.length > 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on near-miss alarm events with fields mutated at random', () => {
    const base = snsAlarmEvent('checkout-5xx', 'ALARM', T0);
    const message = JSON.parse(base.Records[0].Sns.Message) as Record<string, unknown>;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(message)), fc.jsonValue(), (field, value) => {
        const mutated = { ...message, [field]: value };
        const raw = {
          Records: [
            { ...base.Records[0], Sns: { ...base.Records[0].Sns, Message: JSON.stringify(mutated) } },
          ],
        };
        const parsed = parseWatchdogEvent(raw);
        return parsed.ok || parsed.reason.startsWith('malformed');
      }),
      { numRuns: 1000 },
    );
  });
});
