/**
 * Standalone placement: the watchdog in another region (and stack) than the service it protects, so
 * a switchback needs nothing from the service's region but its ELBv2 and CloudWatch APIs. The
 * service's alarms reach the watchdog through an SNS topic in the service's region, to which the
 * watchdog's function subscribes across regions (a CloudWatch alarm can invoke a Lambda directly only
 * in its own region).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { BlueGreenListener, RollbackAlarms, RollbackWatchdog, VersionedArtifactStore } from '../index';

export interface StandaloneExampleProps {
  readonly releaseId: string;
  /** @default 'us-east-1' */
  readonly serviceRegion?: string;
  /** @default 'us-west-2' */
  readonly watchdogRegion?: string;
}

/** The service's stack: store, blue-green listener, alarms and the topic they publish to. */
export class ServiceRegionStack extends TerraformStack {
  public readonly store: VersionedArtifactStore;
  public readonly listener: BlueGreenListener;
  public readonly alarms: RollbackAlarms;
  public readonly alarmTopic: SnsTopic;

  constructor(scope: Construct, id: string, props: StandaloneExampleProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: props.serviceRegion ?? 'us-east-1' });
    const loadBalancerArn = new TerraformVariable(this, 'load_balancer_arn', { type: 'string' });
    const loadBalancerArnSuffix = new TerraformVariable(this, 'load_balancer_arn_suffix', {
      type: 'string',
      description: 'The load balancer’s CloudWatch dimension, app/<name>/<id>.',
    });
    const vpcId = new TerraformVariable(this, 'vpc_id', { type: 'string' });
    const certificateArn = new TerraformVariable(this, 'certificate_arn', {
      type: 'string',
      description: 'The ACM certificate of the payments HTTPS listener.',
    });

    this.store = new VersionedArtifactStore(this, 'ArtifactStore', { serviceName: 'payments' });
    this.listener = new BlueGreenListener(this, 'BlueGreen', {
      serviceName: 'payments',
      loadBalancerArn: loadBalancerArn.stringValue,
      vpcId: vpcId.stringValue,
      certificateArn: certificateArn.stringValue,
      canaryWeightPercent: 10,
      rollbackHold: { storeBucket: this.store.bucketName, releaseId: props.releaseId },
    });
    this.alarmTopic = new SnsTopic(this, 'AlarmTopic', {
      name: 'payments-rollback-alarms',
      kmsMasterKeyId: 'alias/aws/sns',
    });
    this.alarms = new RollbackAlarms(this, 'Alarms', {
      serviceName: 'payments',
      loadBalancerArnSuffix: loadBalancerArnSuffix.stringValue,
      targetGroupArnSuffix: this.listener.greenTargetGroup.arnSuffix,
      alarmActionArns: [this.alarmTopic.arn],
      evaluationWindowMinutes: 60,
    });
  }
}

/** The watchdog's stack, in another region. */
export class WatchdogRegionStack extends TerraformStack {
  public readonly watchdog: RollbackWatchdog;

  constructor(scope: Construct, id: string, service: ServiceRegionStack, props: StandaloneExampleProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: props.watchdogRegion ?? 'us-west-2' });
    this.watchdog = new RollbackWatchdog(this, 'Watchdog', {
      serviceName: 'payments',
      serviceRegion: props.serviceRegion ?? 'us-east-1',
      store: service.store,
      releaseId: props.releaseId,
      // Named by load balancer and port and target group names: no dependency on the listener.
      protectedListeners: service.listener.protectedListeners,
      alarms: service.alarms.protectedAlarms,
      alarmTopicArns: [service.alarmTopic.arn],
      // Capture from here cannot order the other stack's listener; run `switchback capture` from CI
      // before `cdktf deploy` of the service stack instead.
      captureOnDeploy: false,
    });
  }
}
