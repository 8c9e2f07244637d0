/** The schemas the CLI reads the watchdog's answers with (test/watchdog/answers.test.ts: the watchdog's side). */
import { parseWatchdogAnswer, acknowledgeResultSchema, serviceStatusSchema } from '../../lib';

describe("the watchdog's answers", () => {
  it('name the action when an answer has an unexpected shape', () => {
    expect(() => parseWatchdogAnswer('acknowledge', acknowledgeResultSchema, { releaseId: 'r1' })).toThrow(
      /the watchdog's answer to acknowledge is invalid:\n {2}- wasRolledBack/,
    );
  });

  it('read an answer from a newer watchdog, leaving out what they do not know', () => {
    const status = {
      service: 'checkout',
      evaluationWindowLeftSeconds: 0,
      state: { schemaVersion: 1 },
      lock: { held: false, since: 'later' },
      alarms: [{ name: 'checkout-5xx', value: 'MISSING' }],
      listeners: [{ name: 'listener-0', forwardsTo: [], activeColor: 'none', weightedBy: 'later' }],
      extra: true,
    };

    expect(parseWatchdogAnswer('status', serviceStatusSchema, status)).toEqual({
      service: 'checkout',
      evaluationWindowLeftSeconds: 0,
      state: { schemaVersion: 1, automaticRollbacks: [] },
      lock: { held: false },
      alarms: [{ name: 'checkout-5xx', value: 'MISSING' }],
      listeners: [{ name: 'listener-0', forwardsTo: [], activeColor: 'none' }],
    });
  });

  it('refuse a listener color outside blue, green, mixed and none', () => {
    const listener = { name: 'listener-0', forwardsTo: [], activeColor: 'purple' };
    const status = { service: 'checkout', evaluationWindowLeftSeconds: 0, state: { schemaVersion: 1 } };

    expect(() =>
      parseWatchdogAnswer('status', serviceStatusSchema, {
        ...status,
        lock: { held: false },
        alarms: [],
        listeners: [listener],
      }),
    ).toThrow(/the watchdog's answer to status is invalid:\n {2}- listeners\.0\.activeColor/);
  });
});
