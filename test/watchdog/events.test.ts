import fc from 'fast-check';
import { alarmEventId, parseWatchdogEvent, type AlarmEvent } from '../../lambdas/watchdog/events';
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

/** The alarm event a raw delivery parses to; fails the test when it is not one. */
function alarmOf(raw: unknown): AlarmEvent {
  const parsed = parseWatchdogEvent(raw);
  if (!parsed.ok || parsed.event.kind !== 'alarm')
    throw new Error(`not an alarm event: ${JSON.stringify(parsed)}`);
  return parsed.event;
}

/** An SNS delivery of an alarm notification with these message fields. */
function snsWith(message: Record<string, unknown>) {
  return { Records: [{ EventSource: 'aws:sns', Sns: { Message: JSON.stringify(message) } }] };
}

describe('identifying an alarm state change', () => {
  const OTHER_ACCOUNT_ARN = 'arn:aws:cloudwatch:us-east-1:210987654321:alarm:checkout-5xx';

  it('hashes the alarm ARN, so same-named alarms of two accounts get different ids', () => {
    const ours = alarmOf(snsAlarmEvent('checkout-5xx', 'ALARM', T0));
    const theirs = alarmOf(snsAlarmEvent('checkout-5xx', 'ALARM', T0, OTHER_ACCOUNT_ARN));

    expect(ours.eventId).toBe(alarmEventId(alarmArn('checkout-5xx'), iso(T0), 'ALARM'));
    expect(theirs.eventId).toBe(alarmEventId(OTHER_ACCOUNT_ARN, iso(T0), 'ALARM'));
    expect(theirs.eventId).not.toBe(ours.eventId);
  });

  it('hashes the name of an alarm event that carries no ARN', () => {
    const event = alarmOf(
      snsWith({
        AlarmName: 'checkout-5xx',
        NewStateValue: 'ALARM',
        StateChangeTime: '2026-11-21T12:00:00.000+0000',
      }),
    );

    expect(event).toStrictEqual({
      kind: 'alarm',
      source: 'sns',
      alarmName: 'checkout-5xx',
      state: 'ALARM',
      stateChangedAt: iso(T0),
      eventId: alarmEventId('checkout-5xx', iso(T0), 'ALARM'),
    });
  });

  it('gives the same alarm and time a new id for a new state, and for a new time', () => {
    const id = alarmEventId(alarmArn('a'), iso(T0), 'ALARM');

    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(alarmEventId(alarmArn('a'), iso(T0), 'OK')).not.toBe(id);
    expect(alarmEventId(alarmArn('a'), iso(T0 + 1), 'ALARM')).not.toBe(id);
    // The separator keeps fields apart: moving text from one field into the next is another id.
    expect(alarmEventId('ab', 'c', 'OK')).not.toBe(alarmEventId('a', 'bc', 'OK'));
  });

  it('takes an EventBridge change without resources as one without an ARN', () => {
    const raw = { ...eventBridgeAlarmEvent('checkout-5xx', 'ALARM', T0), resources: [] };
    const event = alarmOf(raw);

    expect('alarmArn' in event).toBe(false);
    expect(event.eventId).toBe(alarmEventId('checkout-5xx', iso(T0), 'ALARM'));
  });

  it('leaves out the previous state when the delivery has none', () => {
    const { previousState: _none, ...alarmData } = directAlarmEvent('a', 'ALARM', T0).alarmData;
    const event = alarmOf({ ...directAlarmEvent('a', 'ALARM', T0), alarmData });

    expect('previousState' in event).toBe(false);
    expect(event.source).toBe('alarm-action');
  });

  it('reads CloudWatch times with any offset as UTC', () => {
    const event = alarmOf(
      snsWith({
        AlarmName: 'a',
        AlarmArn: alarmArn('a'),
        NewStateValue: 'OK',
        OldStateValue: 'ALARM',
        StateChangeTime: '2026-11-21T17:30:00.000+0530',
      }),
    );

    expect(event.stateChangedAt).toBe(iso(T0));
    expect(event.state).toBe('OK');
    expect(event.previousState).toBe('ALARM');
  });

  it('rejects an alarm whose ARN names another alarm, quoting both', () => {
    const parsed = parseWatchdogEvent(
      snsAlarmEvent('checkout-5xx', 'ALARM', T0, alarmArn('checkout-latency')),
    );

    expect(parsed).toEqual({
      ok: false,
      reason: `malformed alarm state change: the alarm ARN "${alarmArn('checkout-latency')}" does not name the alarm "checkout-5xx": an alarm ARN ends in :alarm:<its name>`,
    });
  });
});

describe('parsing health-breach reports and ticks', () => {
  it('reads a health-breach report, keyed by its request id', () => {
    expect(
      parseWatchdogEvent({
        action: 'health-breach',
        breachedAt: '2026-11-21T12:00:00.000Z',
        detail: '3 failed pings of https://checkout.example.com/health',
        requestId: 'ping-0001',
      }),
    ).toEqual({
      ok: true,
      event: {
        kind: 'health-breach',
        breachedAt: '2026-11-21T12:00:00.000Z',
        detail: '3 failed pings of https://checkout.example.com/health',
        eventId: 'ping-ping-0001',
      },
    });
  });

  it.each([
    ['without a request id', { breachedAt: '2026-11-21T12:00:00Z', detail: 'x' }, 'requestId'],
    [
      'with a short request id',
      { breachedAt: '2026-11-21T12:00:00Z', detail: 'x', requestId: 'short' },
      'requestId',
    ],
    [
      'with a local time',
      { breachedAt: '2026-11-21T12:00:00+02:00', detail: 'x', requestId: 'ping-0001' },
      'breachedAt',
    ],
    [
      'with an extra field',
      { breachedAt: '2026-11-21T12:00:00Z', detail: 'x', requestId: 'ping-0001', force: 1 },
      '(event)',
    ],
  ])('rejects a health-breach report %s', (_case, fields, path) => {
    expect(parseWatchdogEvent({ action: 'health-breach', ...fields })).toEqual({
      ok: false,
      reason: expect.stringMatching(
        new RegExp(`^malformed a health-breach report: ${path.replace(/[()]/g, '\\$&')}: `),
      ),
    });
  });

  it('reads the schedule tick, and rejects one with extra fields', () => {
    expect(parseWatchdogEvent({ action: 'tick' })).toEqual({ ok: true, event: { kind: 'tick' } });
    expect(parseWatchdogEvent({ action: 'tick', all: true })).toEqual({
      ok: false,
      reason: 'malformed a schedule tick: (event): Unrecognized key: "all"',
    });
  });
});

describe('saying why an event is rejected', () => {
  it.each([
    [
      'a status request with extra fields',
      { action: 'status', verbose: true },
      'malformed a status request: (event): Unrecognized key: "verbose"',
    ],
    [
      'an acknowledgement of a bad release id',
      { action: 'acknowledge', releaseId: 'a b', requestedBy: 'alice', reason: 'fixed' },
      'malformed an acknowledgement: releaseId: must be 1-128 letters, digits, dots, underscores or hyphens',
    ],
    [
      'a scheduled event with a bad time',
      { source: 'aws.events', 'detail-type': 'Scheduled Event', time: 'soon' },
      'malformed a scheduled event: time: must be a timestamp',
    ],
    [
      'a direct alarm action without its ARN',
      (() => {
        const { alarmArn: _none, ...rest } = directAlarmEvent('a', 'ALARM', T0);
        return rest;
      })(),
      'malformed a direct alarm action: alarmArn: ',
    ],
    [
      'an EventBridge change of another detail type',
      { ...eventBridgeAlarmEvent('a', 'ALARM', T0), 'detail-type': 'CloudWatch Alarm Configuration Change' },
      'malformed an EventBridge alarm state change: detail-type: ',
    ],
    [
      'an SNS delivery from elsewhere',
      { Records: [{ EventSource: 'aws:sqs', Sns: { Message: '{}' } }] },
      'malformed an SNS delivery: Records.0.EventSource: ',
    ],
  ])('rejects %s, naming the field', (_case, raw, reason) => {
    const parsed = parseWatchdogEvent(raw);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason.startsWith(reason)).toBe(true);
  });

  it('lists at most five problems', () => {
    const parsed = parseWatchdogEvent({
      source: 'aws.cloudwatch',
      'detail-type': 'nope',
      resources: 'nope',
      detail: { alarmName: '', state: { value: 'BROKEN', timestamp: 'never' }, previousState: 'x' },
    });

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason.replace(/^malformed [^:]+: /, '').split('; ')).toHaveLength(5);
  });

  it('quotes an unknown action, cut short', () => {
    expect(parseWatchdogEvent({ action: 'x'.repeat(100) })).toEqual({
      ok: false,
      reason: `unknown action "${'x'.repeat(59)}: expected rollback, capture, acknowledge, pause, resume, promote, restore-data, freeze, unfreeze, status, tick or health-breach`,
    });
  });
});

describe('the edges of what is accepted', () => {
  it.each([
    ['a manual rollback', { action: 'rollback', reason: 'x', requestedBy: 'alice' }],
    ['a health-breach report', { action: 'health-breach', breachedAt: '2026-11-21T12:00:00Z', detail: 'x' }],
  ])('takes a request id of 8 to 64 letters, digits and hyphens only, in %s', (what, fields) => {
    const accepts = (requestId: string) => parseWatchdogEvent({ ...fields, requestId }).ok;

    expect(accepts('req-1234')).toBe(true);
    expect(accepts('a'.repeat(64))).toBe(true);
    expect(accepts('req-123')).toBe(false);
    expect(accepts('a'.repeat(65))).toBe(false);
    // Anchored at both ends: eight good characters at one end do not make a good id.
    expect(accepts('bad id: 12345678')).toBe(false);
    expect(accepts('12345678 is bad')).toBe(false);
    expect(parseWatchdogEvent({ ...fields, requestId: 'bad id: 12345678' })).toEqual({
      ok: false,
      reason: expect.stringMatching(new RegExp(`^malformed ${what}: requestId: `)),
    });
  });

  it('names a capture request it rejects', () => {
    expect(parseWatchdogEvent({ action: 'capture', releaseId: 'has spaces' })).toEqual({
      ok: false,
      reason:
        'malformed a capture request: releaseId: must be 1-128 letters, digits, dots, underscores or hyphens',
    });
  });

  it('takes an event with alarm data from another source for no alarm at all', () => {
    const raw = { ...directAlarmEvent('a', 'ALARM', T0), source: 'aws.lambda' };

    expect(parseWatchdogEvent(raw)).toEqual({
      ok: false,
      reason: 'unknown event shape: not an alarm state change, a schedule or a manual request',
    });
  });

  it('quotes a long mismatched ARN and name cut short', () => {
    const name = 'n'.repeat(150);
    const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'a'.repeat(300)}`;

    expect(parseWatchdogEvent(snsAlarmEvent(name, 'ALARM', T0, arn))).toEqual({
      ok: false,
      reason: `malformed alarm state change: the alarm ARN ${JSON.stringify(arn.slice(0, 200))} does not name the alarm ${JSON.stringify(name.slice(0, 100))}: an alarm ARN ends in :alarm:<its name>`,
    });
  });
});
