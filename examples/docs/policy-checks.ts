/** docs/policy-checks.md: the policy checks on your own stacks, with a suppression. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SwitchbackChecks } from '../../index';

const app = new App();
const shop = new TerraformStack(app, 'shop'); // your stacks, with or without Switchback constructs
new AwsProvider(shop, 'aws', { region: 'us-east-1' });
const legacyTopic = new SnsTopic(shop, 'PriceUpdates', { name: 'price-updates' });

SwitchbackChecks.suppress(legacyTopic, [
  { id: 'SWB-SNS-1', reason: 'carries only public price updates, read by anyone' },
]);
const checks = SwitchbackChecks.applyTo(app, { minimumSeverity: 'warning' }); // after the stacks are defined
app.synth();
// What the last synth of each stack found (tests read this instead of the console).
export const findings = checks.findings;
