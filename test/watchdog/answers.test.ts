/**
 * Every manual action of the watchdog answers in the schema the CLI reads it with (lib). Zod leaves
 * out fields it does not know, so a parse equal to the answer also says the schema lost nothing.
 */
import {
  acknowledgeResultSchema,
  captureResultSchema,
  serviceStatusSchema,
  triggerOutcomeSchema,
} from '../../lib';
import { createFakeWorld } from './fakes';
import { minutes } from './fixtures';

type Answer = { status: string; kind: string; result: unknown };

describe("the watchdog's answers to manual actions", () => {
  it('capture, status, rollback and acknowledge each parse as the CLI reads them, losing nothing', async () => {
    // Given a watchdog with two listeners
    const world = createFakeWorld({ listeners: 2 });
    const invoke = async (event: unknown) => (await world.invoke(event)) as Answer;

    // When an operator captures, reads status, rolls back and acknowledges
    const capture = await invoke({ action: 'capture', releaseId: 'r1' });
    world.shiftToGreen();
    world.clock.advance(minutes(2));
    const status = await invoke({ action: 'status' });
    const rollback = await invoke({ action: 'rollback', reason: 'errors', requestedBy: 'alice' });
    const acknowledge = await invoke({
      action: 'acknowledge',
      releaseId: 'r1',
      requestedBy: 'alice',
      reason: 'fixed',
    });

    // Then every answer is ok, and parses to itself
    expect([capture, status, rollback, acknowledge].map((a) => [a.status, a.kind])).toEqual([
      ['ok', 'capture'],
      ['ok', 'status'],
      ['ok', 'rollback'],
      ['ok', 'acknowledge'],
    ]);
    expect(captureResultSchema.parse(capture.result)).toEqual(capture.result);
    expect(serviceStatusSchema.parse(status.result)).toEqual(status.result);
    expect(triggerOutcomeSchema.parse(rollback.result)).toEqual(rollback.result);
    expect(acknowledgeResultSchema.parse(acknowledge.result)).toEqual(acknowledge.result);
    expect(rollback.result).toEqual(expect.objectContaining({ outcome: 'rolled-back' }));
  });
});
