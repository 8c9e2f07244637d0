/**
 * The CLI reads the watchdog's answers with the schemas in lib; the engine produces them with its own
 * types. This file does not compile if the two drift apart, and checks a real answer parses.
 */
import {
  acknowledgeResultSchema,
  captureResultSchema,
  parseWatchdogAnswer,
  triggerOutcomeSchema,
  type AcknowledgeResultAnswer,
  type CaptureResultAnswer,
  type ServiceStatusAnswer,
  type TriggerOutcomeAnswer,
} from '../../lib';
import type { AcknowledgeResult } from '../../lambdas/watchdog/engine/acknowledge';
import type { CaptureResult } from '../../lambdas/watchdog/engine/capture';
import type { TriggerOutcome } from '../../lambdas/watchdog/engine/rollback';
import type { ServiceStatus } from '../../lambdas/watchdog/engine/status';

/** Compiles only when every value of `Produced` is a value of `Read`. */
type Assignable<Produced extends Read, Read> = [Produced, Read];

export type AnswersMatchTheEngine = [
  Assignable<ServiceStatus, ServiceStatusAnswer>,
  Assignable<TriggerOutcome, TriggerOutcomeAnswer>,
  Assignable<CaptureResult, CaptureResultAnswer>,
  Assignable<AcknowledgeResult, AcknowledgeResultAnswer>,
];

describe("the watchdog's answers", () => {
  it('parse as the engine writes them, and name the action when they do not', () => {
    const outcome: TriggerOutcome = { decisionId: 'd1', outcome: 'rolled-back', steps: [] };
    const capture: CaptureResult = {
      status: 'captured',
      releaseId: 'r1',
      manifestKey: 'manifests/checkout/r1.json',
      evaluationWindowEndsAt: '2026-11-22T02:00:00.000Z',
    };

    expect(parseWatchdogAnswer('rollback', triggerOutcomeSchema, outcome)).toEqual(outcome);
    expect(parseWatchdogAnswer('capture', captureResultSchema, capture)).toEqual(capture);
    expect(() => parseWatchdogAnswer('acknowledge', acknowledgeResultSchema, { releaseId: 'r1' })).toThrow(
      /the watchdog's answer to acknowledge is invalid:\n {2}- wasRolledBack/,
    );
  });
});
