/**
 * Rules of your own: the public shape of a rule (ICheckRule, CheckResult, IStackResources) and custom
 * rules run by the Aspect, written as an object literal with a `check` method (TypeScript) or as a
 * class implementing ICheckRule (how Python, Java, Go and .NET users write them).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import {
  CheckedResourceKind,
  CheckResult,
  CheckSeverity,
  CheckStatus,
  SwitchbackChecks,
  type CheckedResource,
  type ICheckRule,
  type IStackResources,
  type SwitchbackChecksOptions,
} from '../../../index';
import { SwitchbackValidationError } from '../../../constructs/internal/validation';
import { newStack, synthStack } from '../../support/synth';
import { annotationsOf } from './builders';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';

/** An object-literal rule, as a TypeScript user writes one: topics carry a `team` tag. */
const teamTag: ICheckRule = {
  id: 'ACME-TAGS-1',
  severity: CheckSeverity.WARNING,
  reason: 'SNS topic has no team tag',
  appliesTo: ['aws_sns_topic'],
  check(resource) {
    return typeof resource.config.tags?.team === 'string'
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('no tags.team');
  },
};

/** A class rule, as a Python user writes one (`@jsii.implements(ICheckRule)`): topics have a policy. */
class TopicHasPolicy implements ICheckRule {
  public readonly id = 'ACME-SNS-2';
  public readonly severity = CheckSeverity.ERROR;
  public readonly reason = 'SNS topic has no topic policy';
  public readonly appliesTo = ['aws_sns_topic'];
  public readonly reads = ['aws_sns_topic_policy'];
  public readonly upstream = ['CKV_AWS_385'];

  public check(topic: CheckedResource, stack: IStackResources): CheckResult {
    if (topic.kind !== CheckedResourceKind.RESOURCE) return CheckResult.notApplicable();
    const policies = stack
      .ofType('aws_sns_topic_policy')
      .filter((policy) => String(policy.config.arn).includes(`${topic.address}.`));
    return policies.length > 0
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('no aws_sns_topic_policy refers to this topic');
  }
}

const encryptedTopic = (stack: TerraformStack, id: string, tags?: Record<string, string>) =>
  new SnsTopic(stack, id, { name: id.toLowerCase(), kmsMasterKeyId: KEY, ...(tags ? { tags } : {}) });

/** Synthesizes `build`'s stack with the checks and returns them. */
function checked(options: SwitchbackChecksOptions, build: (stack: TerraformStack) => void): SwitchbackChecks {
  const { stack } = newStack();
  build(stack);
  const checks = SwitchbackChecks.applyTo(stack, options);
  synthStack(stack);
  return checks;
}

describe('CheckResult', () => {
  it('says a resource complies, with no detail', () => {
    const result = CheckResult.compliant();

    expect(result).toBeInstanceOf(CheckResult);
    expect(result.status).toBe(CheckStatus.COMPLIANT);
    expect(result.status).toBe('compliant');
    expect(result.detail).toBeUndefined();
  });

  it('says a rule does not judge a resource, with no detail', () => {
    const result = CheckResult.notApplicable();

    expect(result).toBeInstanceOf(CheckResult);
    expect(result.status).toBe('not-applicable');
    expect(result.detail).toBeUndefined();
  });

  it('says a resource does not comply, with the detail', () => {
    const result = CheckResult.nonCompliant('no kms_master_key_id');

    expect(result).toBeInstanceOf(CheckResult);
    expect(result.status).toBe('non-compliant');
    expect(result.detail).toBe('no kms_master_key_id');
  });

  it.each([[''], ['   '], [undefined as unknown as string]])(
    'refuses a non-compliant result without a detail (%j)',
    (detail) => {
      expect(() => CheckResult.nonCompliant(detail)).toThrow(
        /CheckResult\.nonCompliant\(detail\): got .*; say what is wrong/,
      );
    },
  );

  it('uses the strings of the synthesized JSON and the messages in its enums', () => {
    expect(Object.values(CheckStatus)).toEqual(['compliant', 'non-compliant', 'not-applicable']);
    expect(Object.values(CheckSeverity)).toEqual(['error', 'warning', 'info']);
    expect(Object.values(CheckedResourceKind)).toEqual(['resource', 'data']);
  });
});

describe('custom rules', () => {
  it('runs an object-literal rule with a check method and annotates at its severity', () => {
    let untagged: SnsTopic | undefined;
    const checks = checked({ customRules: [teamTag], rules: ['ACME-TAGS-1'] }, (stack) => {
      untagged = encryptedTopic(stack, 'Orders');
      encryptedTopic(stack, 'Payments', { team: 'payments' });
    });

    expect(checks.findings).toEqual([
      {
        ruleId: 'ACME-TAGS-1',
        severity: CheckSeverity.WARNING,
        reason: 'SNS topic has no team tag',
        detail: 'no tags.team',
        constructPath: 'test/Orders',
        address: expect.stringMatching(/^aws_sns_topic\.Orders/),
      },
    ]);
    expect(annotationsOf(untagged as SnsTopic)).toEqual([
      'WARN [ACME-TAGS-1] SNS topic has no team tag: no tags.team',
    ]);
  });

  it('runs a class rule that reads other resources of the stack, with the built-in rules', () => {
    const checks = checked({ customRules: [new TopicHasPolicy()] }, (stack) => {
      encryptedTopic(stack, 'Orders');
      const covered = encryptedTopic(stack, 'Payments');
      new SnsTopicPolicy(stack, 'PaymentsPolicy', {
        arn: covered.arn,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      });
      new SnsTopic(stack, 'Plain', { name: 'plain' });
    });

    expect(checks.findings.map((finding) => [finding.ruleId, finding.constructPath, finding.detail])).toEqual(
      [
        ['ACME-SNS-2', 'test/Orders', 'no aws_sns_topic_policy refers to this topic'],
        ['SWB-SNS-1', 'test/Plain', 'no kms_master_key_id'],
        ['ACME-SNS-2', 'test/Plain', 'no aws_sns_topic_policy refers to this topic'],
      ],
    );
  });

  it('fails the synth on an error finding of a custom rule', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'shop');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    encryptedTopic(stack, 'Orders');
    SwitchbackChecks.applyTo(stack, { customRules: [new TopicHasPolicy()], rules: ['ACME-SNS-2'] });

    expect(() => app.synth()).toThrow(/\[shop\/Orders\] \[ACME-SNS-2\] SNS topic has no topic policy/);
  });

  it('is suppressed by its id like a built-in rule', () => {
    let topic: SnsTopic | undefined;
    const checks = checked({ customRules: [teamTag], rules: ['ACME-TAGS-1'] }, (stack) => {
      topic = encryptedTopic(stack, 'Orders');
      SwitchbackChecks.suppress(topic, [{ id: 'ACME-TAGS-1', reason: 'a shared topic, owned by no team' }]);
    });

    expect(checks.findings).toEqual([
      expect.objectContaining({
        ruleId: 'ACME-TAGS-1',
        suppressedBecause: 'a shared topic, owned by no team',
      }),
    ]);
    expect(annotationsOf(topic as SnsTopic)).toEqual([
      'INFO [ACME-TAGS-1] SNS topic has no team tag: no tags.team (suppressed: a shared topic, owned by no team)',
    ]);
  });

  it('warns about a suppression that names no rule (a typo suppresses nothing), and refuses a malformed id', () => {
    let topic: SnsTopic | undefined;
    checked({ customRules: [teamTag] }, (stack) => {
      topic = encryptedTopic(stack, 'Orders');
      SwitchbackChecks.suppress(topic, [{ id: 'ACME-TAG-1', reason: 'a shared topic, owned by no team' }]);
    });
    expect(annotationsOf(topic as SnsTopic)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^WARN \[SwitchbackChecks\] the suppression of 'ACME-TAG-1' names no rule of these checks, so it suppresses nothing; the rules are SWB-.*ACME-TAGS-1\.$/,
        ),
      ]),
    );
    const { stack } = newStack();
    expect(() =>
      SwitchbackChecks.suppress(stack, [{ id: 'ACME TAGS 1', reason: 'a shared topic, owned by no team' }]),
    ).toThrow(/invalid prop 'suppressions\[0\]\.id': got "ACME TAGS 1", which is not a Switchback check/);
  });

  it('is selected by rules and filtered by minimumSeverity like a built-in rule', () => {
    const build = (stack: TerraformStack) => {
      new SnsTopic(stack, 'Orders', { name: 'orders' });
    };
    const ids = (options: SwitchbackChecksOptions) =>
      checked(options, build).findings.map((finding) => finding.ruleId);

    expect(ids({ customRules: [teamTag, new TopicHasPolicy()] })).toEqual([
      'SWB-SNS-1',
      'ACME-TAGS-1',
      'ACME-SNS-2',
    ]);
    expect(ids({ customRules: [teamTag, new TopicHasPolicy()], rules: ['ACME-TAGS-1'] })).toEqual([
      'ACME-TAGS-1',
    ]);
    expect(
      ids({ customRules: [teamTag, new TopicHasPolicy()], minimumSeverity: CheckSeverity.ERROR }),
    ).toEqual(['SWB-SNS-1', 'ACME-SNS-2']);
  });

  it('reads a rule’s fields once, when the checks are made (a rule in another language is a proxy)', () => {
    const appliesTo = ['aws_sns_topic'];
    const rule: ICheckRule = { ...teamTag, appliesTo };
    const { stack } = newStack();
    encryptedTopic(stack, 'Orders');
    const checks = SwitchbackChecks.applyTo(stack, { customRules: [rule], rules: ['ACME-TAGS-1'] });
    appliesTo.length = 0;

    synthStack(stack);

    expect(checks.findings.map((finding) => finding.ruleId)).toEqual(['ACME-TAGS-1']);
  });

  it('sees the default provider’s region, and the aliased providers’ whose region is a literal', () => {
    const seen: { defaultRegion?: string; aliasRegions?: Record<string, string> }[] = [];
    const regions: ICheckRule = {
      id: 'ACME-REGIONS-1',
      severity: CheckSeverity.INFO,
      reason: 'Records the regions',
      appliesTo: ['aws_sns_topic'],
      check(_resource, stack) {
        seen.push({ defaultRegion: stack.defaultRegion, aliasRegions: { ...stack.aliasRegions } });
        return CheckResult.compliant();
      },
    };
    checked({ customRules: [regions], rules: ['ACME-REGIONS-1'] }, (stack) => {
      new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
      const region = new TerraformVariable(stack, 'east_region', { type: 'string' });
      new AwsProvider(stack, 'east', { region: region.stringValue, alias: 'east' });
      encryptedTopic(stack, 'Orders');
    });

    expect(seen).toEqual([{ defaultRegion: 'us-east-1', aliasRegions: { west: 'us-west-2' } }]);
  });

  it('fails naming the rule and the resource when a rule reads a type it did not declare', () => {
    const undeclared: ICheckRule = {
      ...teamTag,
      id: 'ACME-READS-1',
      check(_resource, stack) {
        return stack.ofType('aws_sns_topic_policy').length > 0
          ? CheckResult.compliant()
          : CheckResult.notApplicable();
      },
    };

    expect(() =>
      checked({ customRules: [undeclared] }, (stack) => {
        encryptedTopic(stack, 'Orders');
      }),
    ).toThrow(
      /Switchback check 'ACME-READS-1' failed on aws_sns_topic\.Orders\w*: A Switchback check read resources of type 'aws_sns_topic_policy' without listing it in its 'reads'/,
    );
  });

  it.each([
    ['a string', 'compliant'],
    ['a non-compliant result without a detail', { status: 'non-compliant' }],
    ['an unknown status', { status: 'passed' }],
    ['nothing', undefined],
  ])('fails naming the rule when a JavaScript rule returns %s', (_case, returned) => {
    const sloppy: ICheckRule = {
      ...teamTag,
      id: 'ACME-JS-1',
      check: () => returned as unknown as CheckResult,
    };

    expect(() =>
      checked({ customRules: [sloppy] }, (stack) => {
        encryptedTopic(stack, 'Orders');
      }),
    ).toThrow(
      /Switchback check 'ACME-JS-1' returned .* for aws_sns_topic\.Orders\w*; return CheckResult\.compliant\(\), CheckResult\.nonCompliant\(detail\) or CheckResult\.notApplicable\(\)\./,
    );
  });
});

describe('custom rules are refused', () => {
  const rule = (overrides: Record<string, unknown>) =>
    ({ ...teamTag, ...overrides }) as unknown as ICheckRule;

  it.each([
    ['no id', [rule({ id: undefined })], 'customRules[0].id', /got undefined; give a stable id/],
    [
      'an id with spaces',
      [rule({ id: 'team tag' })],
      'customRules[0].id',
      /got "team tag"; give a stable id/,
    ],
    [
      'a built-in prefix',
      [rule({ id: 'SWB-TAGS-1' })],
      'customRules[0].id',
      /got 'SWB-TAGS-1'; ids starting with 'SWB-' are the built-in rules': choose a prefix of your own/,
    ],
    [
      'the same id twice',
      [teamTag, rule({})],
      'customRules[1].id',
      /got 'ACME-TAGS-1' twice; each rule needs its own id/,
    ],
    [
      'an unknown severity',
      [rule({ severity: 'fatal' })],
      'customRules[0].severity',
      /got "fatal"; use one of error, warning, info/,
    ],
    ['no reason', [rule({ reason: ' ' })], 'customRules[0].reason', /got " "; say in one line what is wrong/],
    [
      'no type to apply to',
      [rule({ appliesTo: [] })],
      'customRules[0].appliesTo',
      /got \[\]; give Terraform types such as 'aws_s3_bucket'.*, at least one/,
    ],
    [
      'a type that is not a Terraform type',
      [rule({ appliesTo: ['S3 bucket'] })],
      'customRules[0].appliesTo',
      /got "S3 bucket"; give Terraform types/,
    ],
    [
      'reads that are not a list',
      [rule({ reads: 'aws_sns_topic_policy' })],
      'customRules[0].reads',
      /got "aws_sns_topic_policy"; give Terraform types/,
    ],
    [
      'no check method',
      [rule({ check: undefined })],
      'customRules[0].check',
      /got undefined; give a method check\(resource, stack\) that returns a CheckResult/,
    ],
  ])('with %s', (_case, customRules, prop, message) => {
    let error: unknown;
    try {
      new SwitchbackChecks({ customRules });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SwitchbackValidationError);
    expect((error as SwitchbackValidationError).prop).toBe(prop);
    expect((error as SwitchbackValidationError).message).toMatch(message);
  });

  it('lists the custom ids among the allowed ones when rules names an unknown id', () => {
    expect(() => new SwitchbackChecks({ customRules: [teamTag], rules: ['ACME-TAGS-2'] })).toThrow(
      /invalid prop 'rules': got \["ACME-TAGS-2"\]; list one or more of SWB-S3-1, .*, SWB-BACKUP-3, ACME-TAGS-1, or leave it out/,
    );
  });
});

describe('SwitchbackChecks.rules', () => {
  it('lists the built-in rules as ICheckRule, and is a copy', () => {
    const rules = SwitchbackChecks.rules;
    rules.length = 0;

    expect(SwitchbackChecks.rules.length).toBeGreaterThan(20);
    expect(SwitchbackChecks.rules.every((rule) => typeof rule.check === 'function')).toBe(true);
  });
});
