/**
 * The IAM a watchdog needs for progressive delivery, each statement scoped by ARN: invoking the
 * smoke-check functions, and reading, writing and restoring the kill switches.
 */
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { RollbackWatchdogOptions } from '../watchdog/props';
import { KillSwitchKind } from './kill-switch';
import { SmokeCheckKind } from './smoke-check';

/** The statements; `arnOf(service, resource)` builds an ARN in the service's region and account. */
export function deliveryStatements(
  props: RollbackWatchdogOptions,
  arnOf: (service: string, resource: string) => string,
): DataAwsIamPolicyDocumentStatement[] {
  const checks = [
    ...(props.preTrafficChecks ?? []),
    ...(props.afterStepChecks ?? []),
    ...(props.verificationChecks ?? []),
  ];
  const functions = unique(checks.filter((c) => c.kind === SmokeCheckKind.LAMBDA).map((c) => c.target));
  const switches = props.killSwitches ?? [];
  const parameters = unique(
    switches
      .filter((s) => s.kind === KillSwitchKind.SSM_PARAMETER)
      .map((s) => arnOf('ssm', `parameter/${(s.parameterName ?? '').replace(/^\//, '')}`)),
  );
  const profiles = switches.filter((s) => s.kind === KillSwitchKind.APPCONFIG);
  // AppConfig's deployment actions name the application, the environment and the deployment;
  // StartDeployment names the configuration profile and the deployment strategy as well (the
  // Service Authorization Reference's resource types for each action).
  const environment = (appId?: string, envId?: string) => [
    arnOf('appconfig', `application/${appId}`),
    arnOf('appconfig', `application/${appId}/environment/${envId}`),
    arnOf('appconfig', `application/${appId}/environment/${envId}/deployment/*`),
  ];
  const deployments = unique(profiles.flatMap((s) => environment(s.applicationId, s.environmentId)));
  const starts = unique(
    profiles.flatMap((s) => [
      ...environment(s.applicationId, s.environmentId),
      arnOf('appconfig', `application/${s.applicationId}/configurationprofile/${s.configurationProfileId}`),
      arnOf('appconfig', `deploymentstrategy/${s.deploymentStrategyId}`),
    ]),
  );
  return [
    ...(functions.length > 0
      ? [
          {
            sid: 'InvokeSmokeCheckFunctions',
            effect: 'Allow',
            actions: ['lambda:InvokeFunction'],
            resources: functions,
          },
        ]
      : []),
    ...(parameters.length > 0
      ? [
          {
            // As for the protected parameters: read the live version, write the off value. A
            // SecureString under a customer-managed key needs that key in parameterKmsKeyArns.
            sid: 'ApplyKillSwitchParameters',
            effect: 'Allow',
            actions: ['ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:PutParameter'],
            resources: parameters,
          },
        ]
      : []),
    ...(profiles.length > 0
      ? [
          {
            sid: 'StopKillSwitchDeployments',
            effect: 'Allow',
            // The adapter finds an in-progress deployment in the list (which carries its state)
            // and stops it; it never reads one deployment alone.
            actions: ['appconfig:ListDeployments', 'appconfig:StopDeployment'],
            resources: deployments,
          },
          {
            sid: 'RestoreKillSwitchConfigurations',
            effect: 'Allow',
            actions: ['appconfig:StartDeployment'],
            resources: starts,
          },
        ]
      : []),
  ];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
