/**
 * RollbackGroup fails at synth, naming the prop, when its definition cannot work: a cycle (said as the
 * loop: `api -> worker -> api`), an unknown service, a member twice, a self-dependency, fewer than two
 * members, a member whose watchdog cannot be resolved (no function ARN, not an ARN, in another stack,
 * in another group), and bad settings.
 */
import { Fn, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  MemberRollbackPolicy,
  RollbackGroup,
  RollbackOrder,
  type IRollbackWatchdog,
  type RollbackGroupMemberProps,
  type RollbackGroupProps,
} from '../../../index';
import { blockAt, synthStack } from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { groupFixture, remoteWatchdog, watchdogOf } from './fixtures';

/** Defines a group over the fixture's `api` and `worker` (and whatever members the test gives). */
function define(
  members: (fixture: ReturnType<typeof groupFixture>) => RollbackGroupMemberProps[],
  props: Partial<RollbackGroupProps> = {},
) {
  const fixture = groupFixture();
  return () =>
    new RollbackGroup(fixture.stack, 'Group', {
      groupName: 'shop',
      store: fixture.store,
      members: members(fixture),
      ...props,
    });
}

const PATH = 'test/Group';

describe('RollbackGroup fails at synth', () => {
  it('when the dependencies loop, saying the loop', () => {
    expectValidationError(
      define(({ api, worker }) => [
        { watchdog: api, dependsOn: ['worker'] },
        { watchdog: worker, dependsOn: ['api'] },
      ]),
      PATH,
      'members[0].dependsOn',
      /the dependencies loop: api -> worker -> api\. .*remove one of these dependencies/,
    );
  });

  it('when a longer loop closes through a member defined elsewhere', () => {
    expectValidationError(
      define(({ stack, api, worker }) => [
        { watchdog: api, dependsOn: ['worker'] },
        { watchdog: worker, dependsOn: ['ledger'] },
        { watchdog: remoteWatchdog(stack), dependsOn: ['worker'] },
      ]),
      PATH,
      'members[1].dependsOn',
      /the dependencies loop: worker -> ledger -> worker/,
    );
  });

  it('when a dependency is not a member', () => {
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api, dependsOn: ['billing'] }, { watchdog: worker }]),
      PATH,
      'members[0].dependsOn[0]',
      /got 'billing'; is not a member of the group: the members are 'api', 'worker'/,
    );
  });

  it('when a member depends on itself', () => {
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api, dependsOn: ['api'] }, { watchdog: worker }]),
      PATH,
      'members[0].dependsOn[0]',
      /got 'api'; is the member itself/,
    );
  });

  it('when a dependency is listed twice', () => {
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api, dependsOn: ['worker', 'worker'] }, { watchdog: worker }]),
      PATH,
      'members[0].dependsOn[1]',
      /listed twice/,
    );
  });

  it('when the same watchdog is a member twice', () => {
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api }, { watchdog: worker }, { watchdog: api }]),
      PATH,
      'members[2].watchdog',
      /is members\[0\]\.watchdog again/,
    );
  });

  it('when two members are the same service', () => {
    expectValidationError(
      define(({ stack, api }) => [
        { watchdog: api },
        {
          watchdog: remoteWatchdog(
            stack,
            'api',
            'arn:aws:lambda:eu-west-1:123456789012:function:switchback-api-watchdog',
          ),
        },
      ]),
      PATH,
      'members[1].watchdog.serviceName',
      /got 'api'; members\[0\] is that service already/,
    );
  });

  it('when it has fewer than two members', () => {
    expectValidationError(
      define(({ api }) => [{ watchdog: api }]),
      PATH,
      'members',
      /at least two members/,
    );
  });

  it('when a member defined elsewhere has no function ARN (a JavaScript caller)', () => {
    const noArn = { serviceName: 'ledger', functionName: 'ledger' } as unknown as IRollbackWatchdog;
    expectValidationError(
      define(({ api }) => [{ watchdog: api, dependsOn: ['ledger'] }, { watchdog: noArn }]),
      PATH,
      'members[1].watchdog.functionArn',
      /is required: the coordinator invokes the member's watchdog by its function ARN/,
    );
  });

  it('when a member has no watchdog (a JavaScript caller)', () => {
    expectValidationError(
      define(({ api }) => [{ watchdog: api }, {} as RollbackGroupMemberProps]),
      PATH,
      'members[1].watchdog',
      /is required: the watchdog of the member/,
    );
  });

  it('when a member’s function ARN is not an unqualified function ARN', () => {
    const aliased = {
      serviceName: 'ledger',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:switchback-ledger-watchdog:live',
      functionName: 'switchback-ledger-watchdog',
    } as IRollbackWatchdog;
    expectValidationError(
      define(({ api }) => [{ watchdog: api, dependsOn: ['ledger'] }, { watchdog: aliased }]),
      PATH,
      'members[1].watchdog.functionArn',
      /got '.*:live'; must be a Lambda function's unqualified ARN/,
    );
  });

  it('when a member’s service name is only known to Terraform', () => {
    const unknown = {
      serviceName: Fn.lower('LEDGER'),
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:switchback-ledger-watchdog',
      functionName: 'switchback-ledger-watchdog',
    } as IRollbackWatchdog;
    expectValidationError(
      define(({ api }) => [{ watchdog: api }, { watchdog: unknown }]),
      PATH,
      'members[1].watchdog.serviceName',
      /must be known at synth/,
    );
  });

  it('when a member’s watchdog is in another stack (references would go both ways)', () => {
    const fixture = groupFixture();
    const other = new TerraformStack(fixture.app, 'other');
    new AwsProvider(other, 'aws', { region: 'eu-west-1' });
    const elsewhere = watchdogOf(other, 'ledger');
    expectValidationError(
      () =>
        new RollbackGroup(fixture.stack, 'Group', {
          groupName: 'shop',
          store: fixture.store,
          members: [{ watchdog: fixture.api, dependsOn: ['ledger'] }, { watchdog: elsewhere }],
        }),
      PATH,
      'members[1].watchdog',
      /in the stack 'other', not the group's \('test'\).*RollbackWatchdog\.fromRollbackWatchdogAttributes/,
    );
  });

  it('when a member’s watchdog is in another group already', () => {
    const fixture = groupFixture();
    new RollbackGroup(fixture.stack, 'Payments', {
      groupName: 'payments',
      store: fixture.store,
      members: [{ watchdog: fixture.api }, { watchdog: remoteWatchdog(fixture.stack) }],
    });
    expectValidationError(
      () =>
        new RollbackGroup(fixture.stack, 'Group', {
          groupName: 'shop',
          store: fixture.store,
          members: [{ watchdog: fixture.api }, { watchdog: fixture.worker }],
        }),
      PATH,
      'members[0].watchdog',
      /a member of the rollback group 'payments' already/,
    );
  });

  it('when the group name is not one', () => {
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api }, { watchdog: worker }], { groupName: 'Shop_Front' }),
      PATH,
      'groupName',
      /got 'Shop_Front'; must be 1-40 lowercase letters, digits or hyphens/,
    );
  });

  it('when the order or the policy is not one of the enum’s', () => {
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api }, { watchdog: worker }], {
        order: 'alphabetical' as RollbackOrder,
      }),
      PATH,
      'order',
      /must be one of 'callers-first', 'callees-first'/,
    );
    expectValidationError(
      define(({ api, worker }) => [{ watchdog: api }, { watchdog: worker }], {
        onMemberRollback: 'ignore' as MemberRollbackPolicy,
      }),
      PATH,
      'onMemberRollback',
      /must be one of 'follow', 'page'/,
    );
  });

  it('when a setting is out of range', () => {
    const members = ({ api, worker }: ReturnType<typeof groupFixture>) => [
      { watchdog: api },
      { watchdog: worker },
    ];
    expectValidationError(define(members, { freezeMinutes: -1 }), PATH, 'freezeMinutes', /got -1/);
    expectValidationError(
      define(members, { timeoutSeconds: 901 }),
      PATH,
      'timeoutSeconds',
      /got 901; .*30 to 900/,
    );
    expectValidationError(define(members, { logRetentionDays: 42 }), PATH, 'logRetentionDays', /got 42/);
  });
});

describe('RollbackGroup checks at apply what only Terraform knows', () => {
  it('has Terraform check a member’s function ARN that is a reference before writing the configuration', () => {
    const fixture = groupFixture();
    const referenced = {
      serviceName: 'ledger',
      functionArn: Fn.lower('ARN:AWS:LAMBDA:EU-WEST-1:123456789012:FUNCTION:LEDGER'),
      functionName: 'ledger',
    } as IRollbackWatchdog;
    new RollbackGroup(fixture.stack, 'Group', {
      groupName: 'shop',
      store: fixture.store,
      members: [{ watchdog: fixture.api, dependsOn: ['ledger'] }, { watchdog: referenced }],
    });

    const object = blockAt(synthStack(fixture.stack), 'aws_s3_object', 'Group/Configuration');
    expect(object.lifecycle).toEqual({
      precondition: [
        {
          condition: expect.stringMatching(/^\$\{can\(regex\(".*", lower\("ARN:AWS:LAMBDA/),
          error_message:
            "test/Group: members[1].watchdog.functionArn must be a Lambda function's unqualified ARN (the coordinator invokes the watchdog of 'ledger' by it).",
        },
      ],
    });
  });
});
