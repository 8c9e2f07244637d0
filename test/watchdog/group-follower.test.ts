/**
 * A member asked by its group to roll back: only the coordinator may ask as the group, and a member
 * that already went back (on its own alarm) answers so, changing nothing.
 */
import { callerRequestDigest } from '../../lib/caller-proof';
import { ALREADY_ROLLED_BACK_REASON, type WatchdogConfigInput } from '../../lib';
import { ALARM, createFakeWorld, type FakeWorld } from './fakes';
import { fakeCallerProof } from './fake-release-safety';
import { ACCOUNT, minutes, snsAlarmEvent } from './fixtures';

const COORDINATOR = `arn:aws:lambda:us-west-2:${ACCOUNT}:function:switchback-group-shop`;
const GROUP: Partial<WatchdogConfigInput> = { group: { name: 'shop', coordinatorFunctionArn: COORDINATOR } };
/** Lambda names the role session of a function after the function. */
const COORDINATOR_CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/switchback-group-shop-role/switchback-group-shop`;
const OPERATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`;

interface Answer {
  readonly status: string;
  readonly reason?: string;
  readonly result: { readonly outcome: string; readonly reason?: string; readonly decisionId?: string };
}

async function groupWorld(): Promise<FakeWorld> {
  const world = createFakeWorld({ policy: { verifiedCallers: 'required' }, extraConfig: GROUP });
  await world.invoke({ action: 'capture', releaseId: 'r1' });
  world.shiftToGreen();
  world.clock.advance(minutes(2));
  return world;
}

function groupRollback(arn: string): Record<string, unknown> {
  const request = {
    action: 'rollback',
    reason: 'group shop: api rolled back (dec-api-1)',
    requestedBy: 'group:shop',
    requestId: 'g-0123456789abcdef',
    group: { name: 'shop', cause: 'dec-api-1' },
  };
  return { ...request, callerProof: fakeCallerProof(arn, callerRequestDigest(request)) };
}

describe('a rollback a group asks for', () => {
  it('is answered "already rolled back" by a member its own alarm already rolled back, writing no traffic', async () => {
    // Given worker rolled back on its own alarm
    const world = await groupWorld();
    world.alarms.set(ALARM, 'ALARM');
    const own = (await world.invoke(snsAlarmEvent(ALARM, 'ALARM', world.clock.now()))) as Answer;
    expect(own.result.outcome).toBe('rolled-back');
    const writes = world.journal.callsOf('traffic.restoreListenerActions').length;

    // When its group asks it to roll back
    const answer = (await world.invoke(groupRollback(COORDINATOR_CALLER))) as Answer;

    // Then it says it already did, and restores nothing again
    expect(answer.result.outcome).toBe('skipped');
    expect(answer.result.reason?.startsWith(ALREADY_ROLLED_BACK_REASON)).toBe(true);
    expect(answer.result.reason).toContain(own.result.decisionId);
    expect(world.journal.callsOf('traffic.restoreListenerActions')).toHaveLength(writes);
    expect(world.weights()).toEqual([[100, 0]]);
  });

  it('is rejected, before anything is read, when the caller is not the group’s coordinator', async () => {
    const world = await groupWorld();
    const before = world.journal.calls.length;

    const answer = (await world.invoke(groupRollback(OPERATOR))) as Answer;

    expect(answer.status).toBe('rejected');
    expect(answer.reason).toMatch(/must come from its coordinator \(switchback-group-shop\)/);
    expect(answer.reason).toContain(OPERATOR);
    // Only STS was asked (the proof's check): no store, traffic or notification call
    expect(world.journal.calls.slice(before).map((c) => c.operation)).toEqual(['identity.verify']);
    expect(world.weights()).toEqual([[0, 100]]);
  });

  it('rolls back when the coordinator asks for a member still on its release', async () => {
    const world = await groupWorld();

    const answer = (await world.invoke(groupRollback(COORDINATOR_CALLER))) as Answer;

    expect(answer.result.outcome).toBe('rolled-back');
    expect(world.weights()).toEqual([[100, 0]]);
  });
});
