/**
 * The example application: one stack with, per service, the whole Switchback kit (artifact store,
 * blue-green listener, rollback alarms, watchdog) on the service's existing application load balancer. It synthesizes with no AWS credentials
 * and no network: every account-specific value is a Terraform variable, resolved at `cdktf deploy`.
 */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { Color, SwitchbackService, TrafficShifting } from '../index';

/** Props of {@link ExampleStack}. */
export interface ExampleStackProps {
  /** The services to define, each with the whole Switchback kit. */
  readonly serviceNames: string[];
  /** The release being deployed (a commit or build id). */
  readonly releaseId: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** The candidate's share of each service's traffic. @default 10 */
  readonly canaryWeightPercent?: number;
  /**
   * Shift each service's traffic to the candidate in linear steps of this percentage, one per
   * schedule tick (the candidate is declared at 0%). @default - no shift: the canary weight is set on deploy
   */
  readonly shiftStepPercent?: number;
}

/** A realistic service stack: artifact stores and blue-green listeners for a set of services. */
export class ExampleStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ExampleStackProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', {
      region: props.region ?? 'us-east-1',
      defaultTags: [{ tags: { 'managed-by': 'cdktf', 'rollback-kit': 'switchback' } }],
    });

    const vpcId = new TerraformVariable(this, 'vpc_id', {
      type: 'string',
      description: 'The VPC the services run in.',
    });
    const certificateArn = new TerraformVariable(this, 'certificate_arn', {
      type: 'string',
      description: 'The ACM certificate of the services’ HTTPS listeners.',
    });

    const ciOidcProviderArn = new TerraformVariable(this, 'ci_oidc_provider_arn', {
      type: 'string',
      description: 'The IAM OIDC provider the CI pipeline authenticates with (e.g. GitHub Actions).',
    });

    // The CI pipeline publishes artifacts; it may write them but never rewrite manifests or audit records.
    const ciTrust = new DataAwsIamPolicyDocument(this, 'ci_trust', {
      statement: [
        {
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [ciOidcProviderArn.stringValue] }],
        },
      ],
    });
    const ciRole = new IamRole(this, 'ci_publisher', {
      namePrefix: 'switchback-ci-',
      assumeRolePolicy: ciTrust.json,
    });

    const onCallRoleArn = new TerraformVariable(this, 'on_call_role_arn', {
      type: 'string',
      description: 'The role on-call engineers assume to roll back or promote by hand.',
    });

    const ordersDatabaseArn = new TerraformVariable(this, 'checkout_database_arn', {
      type: 'string',
      description: 'The RDS database of the checkout service (backed up daily and before each release).',
    });

    for (const serviceName of props.serviceNames) {
      new ExampleService(this, serviceName, {
        vpcId: vpcId.stringValue,
        certificateArn: certificateArn.stringValue,
        ciRole,
        releaseId: props.releaseId,
        onCallRoleArn: onCallRoleArn.stringValue,
        canaryWeightPercent: props.shiftStepPercent !== undefined ? 0 : (props.canaryWeightPercent ?? 10),
        ...(props.shiftStepPercent !== undefined ? { shiftStepPercent: props.shiftStepPercent } : {}),
        ...(serviceName === 'checkout' ? { databaseArn: ordersDatabaseArn.stringValue } : {}),
      });
    }
  }
}

interface ExampleServiceProps {
  readonly vpcId: string;
  readonly certificateArn: string;
  readonly ciRole: IamRole;
  readonly releaseId: string;
  readonly onCallRoleArn: string;
  readonly canaryWeightPercent: number;
  readonly shiftStepPercent?: number;
  /** The service's database, when it has one. */
  readonly databaseArn?: string;
}

/** One service: the whole Switchback kit in one line, plus what this app adds around it. */
class ExampleService extends Construct {
  constructor(scope: Construct, serviceName: string, props: ExampleServiceProps) {
    super(scope, serviceName);
    // Declared on the stack, so the variable keeps a readable name: <service>_load_balancer_arn.
    const loadBalancerArn = new TerraformVariable(
      TerraformStack.of(this),
      `${serviceName}_load_balancer_arn`,
      {
        type: 'string',
        description: `The ARN of the application load balancer in front of ${serviceName}.`,
      },
    );

    const service = new SwitchbackService(this, 'Switchback', {
      serviceName,
      releaseId: props.releaseId,
      loadBalancerArn: loadBalancerArn.stringValue,
      vpcId: props.vpcId,
      certificateArn: props.certificateArn,
      listener: {
        httpRedirect: {},
        testListener: { port: 8443 },
        targetPort: 8080,
        healthCheck: { path: '/healthz' },
        activeColor: Color.BLUE,
        canaryWeightPercent: props.canaryWeightPercent,
        rules: [{ priority: 10, pathPatterns: ['/api/*'] }],
      },
      alarms: { errorRatePercent: 2, p99LatencySeconds: 1.5, requiredBreaches: 2 },
      watchdog: {
        operatorRoleArns: [props.onCallRoleArn],
        evaluationWindowMinutes: 60,
        ...(props.shiftStepPercent !== undefined
          ? { shifting: TrafficShifting.linear(props.shiftStepPercent, 0) }
          : {}),
      },
      // The service's database and its artifact store under one schedule (daily, 35 days), and a
      // backup of the database just before each release.
      ...(props.databaseArn
        ? { backup: { resourceArns: [props.databaseArn], backupBeforeRelease: true } }
        : {}),
    });
    service.store.grantWrite(props.ciRole, `${service.store.keyPrefixes.artifacts}${serviceName}/`);

    new TerraformOutput(this, 'listener_arn', { value: service.listener.listenerArn });
    new TerraformOutput(this, 'blue_target_group_arn', { value: service.listener.blueTargetGroupArn });
    new TerraformOutput(this, 'green_target_group_arn', { value: service.listener.greenTargetGroupArn });
    new TerraformOutput(this, 'artifact_bucket', { value: service.store.bucketName });
    new TerraformOutput(this, 'watchdog_function', { value: service.watchdog.function.functionName });
    new TerraformOutput(this, 'rollback_alarm', { value: service.alarms.compositeAlarmName });
  }
}

/** Service names for an app of `count` services: `checkout`, `catalog`, then `service-03`, … */
export function exampleServiceNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) =>
    index === 0 ? 'checkout' : index === 1 ? 'catalog' : `service-${String(index + 1).padStart(2, '0')}`,
  );
}
