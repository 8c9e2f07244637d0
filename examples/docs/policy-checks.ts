/** docs/policy-checks.md: the policy checks on your own stacks, with a suppression and a rule of your own. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { CheckResult, CheckSeverity, SwitchbackChecks, type ICheckRule } from '../../index';

const app = new App();
const shop = new TerraformStack(app, 'shop'); // your stacks, with or without Switchback constructs
new AwsProvider(shop, 'aws', { region: 'us-east-1' });
const legacyTopic = new SnsTopic(shop, 'PriceUpdates', { name: 'price-updates', tags: { team: 'pricing' } });

// A rule of your own: an id outside SWB-, a severity, a reason, the types it judges, and check().
const teamTag: ICheckRule = {
  id: 'ACME-TAGS-1',
  severity: CheckSeverity.WARNING,
  reason: 'SNS topic has no team tag',
  appliesTo: ['aws_sns_topic'],
  check(topic) {
    return typeof topic.config.tags?.team === 'string'
      ? CheckResult.compliant()
      : CheckResult.nonCompliant('no tags.team');
  },
};

SwitchbackChecks.suppress(legacyTopic, [
  { id: 'SWB-SNS-1', reason: 'carries only public price updates, read by anyone' },
]);
const checks = SwitchbackChecks.applyTo(app, {
  minimumSeverity: CheckSeverity.WARNING,
  customRules: [teamTag],
}); // after the stacks are defined
app.synth();
// What the last synth of each stack found (tests read this instead of the console).
export const findings = checks.findings;
