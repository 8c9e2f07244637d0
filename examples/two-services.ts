/**
 * The two-service stack of service-stack.ts on its own, and a second stack with what crosses a
 * language boundary beyond props: a store defined elsewhere, composition after construction
 * (`addRule`, `addListener`, `addProtectedListener`, `addAlarm`, `addWatchdog`) and a policy rule
 * written in the app's language. The TypeScript side of examples/python/two_services.py, which
 * npm run test:bindings compares with it (the Terraform JSON, and the policy findings printed last).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { App, TerraformStack } from 'cdktf';
import {
  BlueGreenListener,
  CheckResult,
  CheckSeverity,
  ListenerRole,
  RollbackAlarms,
  RollbackWatchdog,
  SwitchbackChecks,
  VersionedArtifactStore,
  type CheckedResource,
  type ICheckRule,
} from '../index';
import { ExampleStack } from './service-stack';

const releaseId = process.env.SWITCHBACK_RELEASE_ID ?? 'local';
const app = new App();
new ExampleStack(app, 'switchback-example', {
  serviceNames: ['checkout', 'catalog'],
  releaseId,
  canaryWeightPercent: 10,
});

/** A rule of the app's own: every SNS topic carries a `team` tag. */
class TeamTagRule implements ICheckRule {
  public readonly id = 'ACME-TAGS-1';
  public readonly severity = CheckSeverity.WARNING;
  public readonly reason = 'SNS topic has no team tag';
  public readonly appliesTo = ['aws_sns_topic'];

  public check(resource: CheckedResource): CheckResult {
    const tags = resource.config.tags as { [key: string]: string } | undefined;
    return tags?.team ? CheckResult.compliant() : CheckResult.nonCompliant('no tags.team');
  }
}

const LOAD_BALANCER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders/50dc6c495c0c9188';
const extras = new TerraformStack(app, 'switchback-extras');
new AwsProvider(extras, 'aws', { region: 'us-east-1' });
const store = VersionedArtifactStore.fromArtifactStoreAttributes(extras, 'Store', {
  serviceName: 'orders',
  bucketName: 'orders-artifacts',
});
const listener = new BlueGreenListener(extras, 'Orders', {
  serviceName: 'orders',
  loadBalancerArn: LOAD_BALANCER_ARN,
  vpcId: 'vpc-0123456789abcdef0',
  testListener: {},
});
listener.addRule({ priority: 20, pathPatterns: ['/v2/*'] });
const alarms = new RollbackAlarms(extras, 'Alarms', {
  serviceName: 'orders',
  loadBalancerArnSuffix: 'app/orders/50dc6c495c0c9188',
  targetGroupArnSuffix: listener.greenTargetGroup.arnSuffix,
});
const watchdog = new RollbackWatchdog(extras, 'Watchdog', { store, releaseId });
watchdog.addListener(listener);
watchdog.addProtectedListener({
  name: 'internal',
  role: ListenerRole.PRODUCTION,
  listenerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders-internal/6d0ecf831eec9f09/1a2b3c4d5e6f7a8b',
  targetGroupNames: { blue: 'orders-internal-blue', green: 'orders-internal-green' },
});
for (const alarm of alarms.protectedAlarms) watchdog.addAlarm(alarm);
alarms.addWatchdog(watchdog);
new SnsTopic(extras, 'Releases', {
  name: 'orders-releases',
  kmsMasterKeyId: 'alias/aws/sns',
  tags: { team: 'orders' },
});
const checks = SwitchbackChecks.applyTo(extras, { customRules: [new TeamTagRule()] });

app.synth();
console.log(`FINDINGS ${JSON.stringify(checks.findings)}`);
