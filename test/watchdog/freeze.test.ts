/**
 * Deploy freezes, through the handler with in-memory ports: while a rollback is unacknowledged (for
 * `policy.freezeMinutes`), capture of a new release is refused, audited and notified, and the latch
 * stays; acknowledgement, the end of the freeze, an override or the same release id let a capture
 * through. A rollback group freezes and unfreezes a member (idempotent, by cause), and `status`
 * shows the freeze in force.
 */
import { callerRequestDigest } from '../../lib/caller-proof';
import {
  releaseManifestKey,
  serviceStatusSchema,
  watchdogLockKey,
  watchdogStateKey,
  type RollbackPolicy,
  type DeployFreeze,
  type WatchdogConfigInput,
  type WatchdogState,
} from '../../lib';
import { ALARM, createFakeWorld, SERVICE, type FakeWorld } from './fakes';
import { fakeCallerProof } from './fake-release-safety';
import { ACCOUNT, iso, minutes, snsAlarmEvent } from './fixtures';

const COORDINATOR = `arn:aws:lambda:us-west-2:${ACCOUNT}:function:switchback-shop-coordinator`;
const GROUP: Partial<WatchdogConfigInput> = { group: { name: 'shop', coordinatorFunctionArn: COORDINATOR } };
const COORDINATOR_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/switchback-shop-coordinator/run`;
const CAUSE = { service: 'payments', releaseId: 'p7', decisionId: 'run-0042' };

type Answer = { status: string; kind: string; result: Record<string, unknown> };

function world(
  policy: Partial<RollbackPolicy> = {},
  extra: Partial<WatchdogConfigInput> = {},
  lockWaitMs?: number,
): FakeWorld {
  return createFakeWorld({
    policy: { cooldownMinutes: 0, ...policy },
    extraConfig: extra,
    ...(lockWaitMs !== undefined ? { lockWaitMs } : {}),
  });
}

const capture = (w: FakeWorld, releaseId: string, extra: Record<string, unknown> = {}) =>
  w.invoke({ action: 'capture', releaseId, ...extra }) as Promise<Answer>;
const stateOf = (w: FakeWorld) => w.bucket.json(watchdogStateKey(SERVICE)) as WatchdogState;
const lockWrites = (w: FakeWorld) => w.bucket.writes.filter((x) => x.key === watchdogLockKey(SERVICE)).length;
const status = async (w: FakeWorld) =>
  serviceStatusSchema.parse(((await w.invoke({ action: 'status' })) as Answer).result);

/** Given: r1 captured and on green, then rolled back by its alarm (latched); returns the rollback's decision. */
async function rolledBack(w: FakeWorld): Promise<{ decisionId: string; rolledBackAt: string }> {
  await capture(w, 'r1');
  w.shiftToGreen();
  w.clock.advance(minutes(2));
  w.alarms.set(ALARM, 'ALARM');
  const answer = (await w.invoke(snsAlarmEvent(ALARM, 'ALARM', w.clock.now()))) as Answer;
  expect(answer.result.outcome).toBe('rolled-back');
  w.alarms.set(ALARM, 'OK');
  const latched = stateOf(w).latched;
  if (!latched) throw new Error('the rollback did not latch');
  return { decisionId: latched.decisionId, rolledBackAt: latched.rolledBackAt };
}

function groupFreeze(w: FakeWorld, action: 'freeze' | 'unfreeze', cause = CAUSE, untilMs?: number) {
  const request: Record<string, unknown> = {
    action,
    group: 'shop',
    cause,
    ...(action === 'freeze' ? { until: iso(untilMs ?? w.clock.now() + minutes(120)) } : {}),
  };
  // Signed with the coordinator's own credentials, as it sends them
  const callerProof = fakeCallerProof(COORDINATOR_ROLE, callerRequestDigest(request));
  return w.invoke({ ...request, callerProof }) as Promise<Answer>;
}

describe('after an unacknowledged rollback', () => {
  it('refuses a new release, audited and notified, taking no lock and leaving the latch', async () => {
    // Given r1 rolled back ten minutes ago and not acknowledged
    const w = world();
    const { decisionId, rolledBackAt } = await rolledBack(w);
    w.clock.advance(minutes(10));
    const locksBefore = lockWrites(w);
    const until = iso(Date.parse(rolledBackAt) + minutes(1440));

    // When the pipeline captures r2, Then it is refused, saying why, until when, and how to go on
    await expect(capture(w, 'r2')).rejects.toMatchObject({
      name: 'CaptureFrozenError',
      message: expect.stringMatching(
        new RegExp(
          `refused: release r1 of checkout was rolled back at ${rolledBackAt} \\(decision ${decisionId}\\) and is not acknowledged: deploys are frozen until ${until}\\. ` +
            'Acknowledge the rollback \\(`switchback promote --ack --release r1 --reason <why>`\\).*overrides\\.freeze.*--override-freeze <reason>',
        ),
      ),
    });
    const refusal = w.auditRecords().at(-1);
    expect(refusal).toEqual(
      expect.objectContaining({
        trigger: { kind: 'capture' },
        releaseId: 'r2',
        decision: 'refuse',
        outcome: 'refused',
        checks: [{ name: 'deploy-not-frozen', passed: false, detail: expect.stringContaining('release r1') }],
      }),
    );
    expect(w.published.at(-1)?.subject).toBe(`[switchback] ${SERVICE}: capture refused release r2`);
    expect(w.bucket.json(releaseManifestKey(SERVICE, 'r2'))).toBeUndefined();
    expect(lockWrites(w)).toBe(locksBefore);
    // The latch holds r1 on blue: the refused capture lifted nothing
    expect(stateOf(w).latched).toEqual(expect.objectContaining({ releaseId: 'r1', decisionId }));
    expect(w.weights()).toEqual([[100, 0]]);
  });

  it('never refuses capturing the rolled-back release id again', async () => {
    const w = world();
    await rolledBack(w);

    await expect(capture(w, 'r1')).resolves.toMatchObject({ result: { status: 'already-captured' } });
  });

  it('captures a new release once the rollback is acknowledged', async () => {
    const w = world();
    await rolledBack(w);
    await w.invoke({ action: 'acknowledge', releaseId: 'r1', requestedBy: 'alice', reason: 'fixed in r2' });

    await expect(capture(w, 'r2')).resolves.toMatchObject({ result: { status: 'captured' } });
    expect(w.auditRecords().at(-1)?.checks).toContainEqual({ name: 'deploy-not-frozen', passed: true });
  });

  it('captures a new release once freezeMinutes have passed, lifting the stale latch', async () => {
    const w = world({ freezeMinutes: 60 });
    await rolledBack(w);
    w.clock.advance(minutes(59));
    await expect(capture(w, 'r2')).rejects.toThrow(/frozen until/);

    w.clock.advance(minutes(1));
    await expect(capture(w, 'r2')).resolves.toMatchObject({ result: { status: 'captured' } });
    expect(stateOf(w).latched).toBeUndefined();
  });

  it('does not freeze at all with freezeMinutes 0', async () => {
    const w = world({ freezeMinutes: 0 });
    await rolledBack(w);

    await expect(capture(w, 'r2')).resolves.toMatchObject({ result: { status: 'captured' } });
    expect(stateOf(w).latched).toBeUndefined();
    expect((await status(w)).freeze).toBeUndefined();
  });

  it('lets a release with an override through, audited with its reason and notified', async () => {
    const w = world();
    await rolledBack(w);

    const answer = await capture(w, 'r2', {
      overrides: { freeze: { reason: 'r2 is the fix for r1', requestedBy: 'bob' } },
    });

    expect(answer.result).toEqual(expect.objectContaining({ status: 'captured', overridden: ['freeze'] }));
    const record = w.auditRecords().at(-1);
    expect(record).toEqual(
      expect.objectContaining({ decision: 'capture', outcome: 'captured', overrides: ['freeze'] }),
    );
    expect(record?.checks).toContainEqual({
      name: 'deploy-not-frozen',
      passed: false,
      detail: expect.stringMatching(
        /^overridden: r2 is the fix for r1 \(requested by bob\); release r1 of checkout/,
      ),
    });
    expect(w.published.at(-1)?.subject).toBe(`[switchback] ${SERVICE}: capture (captured) release r2`);
  });

  it('refuses a release when the rollback latched while the capture waited for its backup', async () => {
    // Given r1 captured, and r2's capture waiting for its pre-release backup
    const w = world(
      {},
      {
        backup: {
          vaultName: 'release-vault',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/backup`,
          resourceArns: ['arn:aws:dynamodb:us-east-1:123456789012:table/orders'],
          readiness: { waitForBackupSeconds: 60 },
        },
      },
    );
    w.backup.jobStates.set('backup-job-1', { state: 'COMPLETED' });
    await capture(w, 'r1');
    w.backup.jobSequences.set('backup-job-2', [{ state: 'RUNNING' }, { state: 'COMPLETED' }]);
    // ... when r1 is rolled back meanwhile (its latch written while r2 waits)
    let latchedOnce = false;
    w.journal.addFault({
      operation: 'backup.describeBackupJob',
      error: new Error('unused'),
      match: () => {
        if (!latchedOnce) {
          latchedOnce = true;
          const latched = {
            releaseId: 'r1',
            rolledBackAt: iso(w.clock.now()),
            decisionId: 'run-9',
            trigger: 'alarm',
          };
          w.bucket.put(
            watchdogStateKey(SERVICE),
            JSON.stringify(
              Object.assign({ schemaVersion: 1, automaticRollbacks: [] }, stateOf(w), { latched }),
            ),
          );
        }
        return false;
      },
    });

    // Then r2 is refused under the lock, and the latch stays
    await expect(capture(w, 'r2')).rejects.toThrow(/release r1 of checkout was rolled back/);
    expect(stateOf(w).latched?.releaseId).toBe('r1');
    expect(w.bucket.json(releaseManifestKey(SERVICE, 'r2'))).toBeUndefined();
  });
});

describe('a rollback group freezes a member', () => {
  it('records the freeze of the cause in the state, audits it with the verified caller and the group, and notifies', async () => {
    const w = world({}, GROUP);
    await capture(w, 'r1');
    const until = w.clock.now() + minutes(120);

    const answer = await groupFreeze(w, 'freeze', CAUSE, until);

    expect(answer.result).toEqual({ outcome: 'frozen', until: iso(until), decisionId: expect.any(String) });
    expect(stateOf(w).groupFreezes).toEqual([
      {
        cause: 'group',
        service: 'payments',
        releaseId: 'p7',
        decisionId: 'run-0042',
        group: 'shop',
        since: iso(w.clock.now()),
        until: iso(until),
      },
    ]);
    const record = w.auditRecords().at(-1);
    expect(record).toEqual(
      expect.objectContaining({
        decisionId: answer.result.decisionId,
        decision: 'freeze',
        outcome: 'frozen',
        trigger: expect.objectContaining({
          kind: 'group',
          requestedBy: 'group:shop',
          caller: expect.objectContaining({ arn: COORDINATOR_ROLE, verified: true }),
          group: { name: 'shop', cause: 'run-0042' },
        }),
        reason: expect.stringContaining('payments rolled back release p7'),
      }),
    );
    expect(w.published.at(-1)?.subject).toBe(`[switchback] ${SERVICE}: freeze (frozen)`);
    // Under the service's lock
    expect(lockWrites(w)).toBeGreaterThanOrEqual(4);
  });

  it('changes nothing when the same freeze comes again', async () => {
    const w = world({}, GROUP);
    await groupFreeze(w, 'freeze');
    const state = stateOf(w);
    const records = w.auditRecords().length;
    w.clock.advance(minutes(1));

    const again = await groupFreeze(w, 'freeze', CAUSE, w.clock.now() + minutes(500));

    expect(again.result).toEqual({ outcome: 'unchanged', until: state.groupFreezes?.[0]?.until });
    expect(stateOf(w)).toEqual(state);
    expect(w.auditRecords()).toHaveLength(records);
  });

  it('refuses new releases while frozen, naming the group and its cause, until its end', async () => {
    const w = world({}, GROUP);
    await capture(w, 'r1');
    await groupFreeze(w, 'freeze', CAUSE, w.clock.now() + minutes(30));

    await expect(capture(w, 'r2')).rejects.toMatchObject({
      name: 'CaptureFrozenError',
      message: expect.stringMatching(
        /group shop: payments rolled back release p7 \(decision run-0042\): deploys are frozen until .*The group lifts it when payments acknowledges/,
      ),
    });
    // The release already captured is not refused
    await expect(capture(w, 'r1')).resolves.toMatchObject({ result: { status: 'already-captured' } });

    w.clock.advance(minutes(30));
    await expect(capture(w, 'r2')).resolves.toMatchObject({ result: { status: 'captured' } });
  });

  it('lifts the freeze on an unfreeze of its cause, audited, and ignores an unfreeze of another cause', async () => {
    const w = world({}, GROUP);
    await capture(w, 'r1');
    await groupFreeze(w, 'freeze');
    const frozen = stateOf(w);
    const records = w.auditRecords().length;

    // An unfreeze for another cause changes nothing
    const other = await groupFreeze(w, 'unfreeze', { ...CAUSE, decisionId: 'run-0099' });
    expect(other.result).toEqual({ outcome: 'unchanged', until: frozen.groupFreezes?.[0]?.until });
    expect(stateOf(w)).toEqual(frozen);
    expect(w.auditRecords()).toHaveLength(records);
    await expect(capture(w, 'r2')).rejects.toThrow(/group shop/);

    // The unfreeze of its cause lifts it
    const lifted = await groupFreeze(w, 'unfreeze');
    expect(lifted.result).toEqual({ outcome: 'unfrozen', decisionId: expect.any(String) });
    expect(stateOf(w).groupFreezes).toBeUndefined();
    expect(w.auditRecords().at(-1)).toEqual(
      expect.objectContaining({
        decision: 'unfreeze',
        outcome: 'unfrozen',
        trigger: expect.objectContaining({ kind: 'group', group: { name: 'shop', cause: 'run-0042' } }),
      }),
    );
    await expect(capture(w, 'r2')).resolves.toMatchObject({ result: { status: 'captured' } });

    // ... and a repeated unfreeze changes nothing
    await expect(groupFreeze(w, 'unfreeze')).resolves.toMatchObject({ result: { outcome: 'unchanged' } });
  });

  it('holds a freeze per cause: an unfreeze of one leaves the others in force', async () => {
    // Given a service depending on payments and inventory, both rolled back (inventory's freeze ends first)
    const w = world({}, GROUP);
    await capture(w, 'r1');
    const inventory = { service: 'inventory', releaseId: 'i3', decisionId: 'run-0050' };
    await groupFreeze(w, 'freeze', CAUSE, w.clock.now() + minutes(120));
    const second = await groupFreeze(w, 'freeze', inventory, w.clock.now() + minutes(60));

    // Then both are held, and the second's record says the first is in force too
    expect(second.result).toEqual({
      outcome: 'frozen',
      until: iso(w.clock.now() + minutes(60)),
      decisionId: expect.any(String),
    });
    expect(stateOf(w).groupFreezes?.map((f) => f.decisionId)).toEqual(['run-0042', 'run-0050']);
    expect(w.auditRecords().at(-1)?.checks).toEqual([
      expect.objectContaining({ name: 'other-group-freezes', detail: expect.stringContaining('run-0042') }),
    ]);
    // ... and a capture is refused naming both
    await expect(capture(w, 'r2')).rejects.toThrow(
      /decision run-0042.*; group shop: inventory .*decision run-0050/,
    );
    // ... and status shows the one that ends last
    expect((await status(w)).freeze).toEqual(expect.objectContaining({ decisionId: 'run-0042' }));

    // When payments is acknowledged (its unfreeze)
    await expect(groupFreeze(w, 'unfreeze')).resolves.toMatchObject({ result: { outcome: 'unfrozen' } });

    // Then inventory's freeze is still in force: r2 is still refused, and the record says so
    expect(stateOf(w).groupFreezes?.map((f) => f.decisionId)).toEqual(['run-0050']);
    expect(w.auditRecords().at(-1)?.reason).toMatch(/stay frozen by inventory's decision run-0050/);
    await expect(capture(w, 'r2')).rejects.toThrow(/inventory rolled back release i3 \(decision run-0050\)/);
    expect((await status(w)).freeze).toEqual(expect.objectContaining({ decisionId: 'run-0050' }));

    // ... until inventory's unfreeze too
    await groupFreeze(w, 'unfreeze', inventory);
    expect(stateOf(w).groupFreezes).toBeUndefined();
    await expect(capture(w, 'r2')).resolves.toMatchObject({ result: { status: 'captured' } });
  });

  it('keys a freeze by group and cause: the same cause from another group is a freeze of its own', async () => {
    const w = world({}, GROUP);
    await groupFreeze(w, 'freeze');

    const request = { action: 'freeze', group: 'web', cause: CAUSE, until: iso(w.clock.now() + minutes(30)) };
    const callerProof = fakeCallerProof(COORDINATOR_ROLE, callerRequestDigest(request));
    await expect(w.invoke({ ...request, callerProof })).resolves.toMatchObject({
      result: { outcome: 'frozen' },
    });

    expect(stateOf(w).groupFreezes?.map((f) => [f.group, f.decisionId])).toEqual([
      ['shop', 'run-0042'],
      ['web', 'run-0042'],
    ]);
  });

  it('reads the single group freeze an older state held as one of the list, and writes only the list', async () => {
    // Given a state written before several group freezes could be held
    const w = world({}, GROUP);
    await capture(w, 'r1');
    const old: DeployFreeze = {
      cause: 'group',
      service: 'payments',
      releaseId: 'p7',
      decisionId: 'run-0042',
      group: 'shop',
      since: iso(w.clock.now()),
      until: iso(w.clock.now() + minutes(120)),
    };
    w.bucket.put(
      watchdogStateKey(SERVICE),
      JSON.stringify({ schemaVersion: 1, automaticRollbacks: [], groupFreeze: old }),
    );

    // Then it freezes captures and shows in status
    await expect(capture(w, 'r2')).rejects.toThrow(/group shop: payments rolled back release p7/);
    expect((await status(w)).freeze).toEqual(old);

    // When another cause freezes the service, both are in the list, and the old field is gone
    const inventory = { service: 'inventory', releaseId: 'i3', decisionId: 'run-0050' };
    await groupFreeze(w, 'freeze', inventory);
    const written = w.bucket.json(watchdogStateKey(SERVICE)) as Record<string, unknown>;
    expect(written.groupFreeze).toBeUndefined();
    expect((written.groupFreezes as DeployFreeze[]).map((f) => f.decisionId)).toEqual([
      'run-0042',
      'run-0050',
    ]);

    // ... and the old freeze's unfreeze lifts it alone
    await groupFreeze(w, 'unfreeze');
    expect(stateOf(w).groupFreezes?.map((f) => f.decisionId)).toEqual(['run-0050']);
  });

  it('answers LockBusyError (which the coordinator retries) while another run holds the lock', async () => {
    const w = world({}, GROUP, 300);
    w.holdLock('other-run', w.clock.now() + minutes(1));

    await expect(groupFreeze(w, 'freeze')).rejects.toMatchObject({ name: 'LockBusyError' });
    await expect(groupFreeze(w, 'unfreeze')).rejects.toMatchObject({ name: 'LockBusyError' });
    expect(w.bucket.json(watchdogStateKey(SERVICE))).toBeUndefined();
  });

  it('does not take a freeze that has already ended', async () => {
    const w = world({}, GROUP);

    const answer = await groupFreeze(w, 'freeze', CAUSE, w.clock.now() - minutes(1));

    expect(answer.result).toEqual({ outcome: 'unchanged' });
    expect(w.bucket.json(watchdogStateKey(SERVICE))).toBeUndefined();
  });
});

describe('status', () => {
  it('shows the freeze of an unacknowledged rollback until it ends, and none after', async () => {
    const w = world({ freezeMinutes: 90 });
    const { decisionId, rolledBackAt } = await rolledBack(w);

    expect((await status(w)).freeze).toEqual({
      cause: 'rollback',
      service: SERVICE,
      releaseId: 'r1',
      decisionId,
      since: rolledBackAt,
      until: iso(Date.parse(rolledBackAt) + minutes(90)),
    });
    w.clock.advance(minutes(90));
    expect((await status(w)).freeze).toBeUndefined();
  });

  it('shows a group freeze and the group the service belongs to', async () => {
    const w = world({}, GROUP);
    await groupFreeze(w, 'freeze');

    const answer = await status(w);

    expect(answer.freeze).toEqual(
      expect.objectContaining({ cause: 'group', group: 'shop', decisionId: 'run-0042' }),
    );
    expect(answer.group).toEqual({ name: 'shop', coordinatorFunctionArn: COORDINATOR });
  });

  it('shows no group for a service in none', async () => {
    expect((await status(world())).group).toBeUndefined();
  });
});
