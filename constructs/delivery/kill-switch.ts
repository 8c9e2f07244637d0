/**
 * Kill switches: feature flags the watchdog turns off first on a breach, the fastest way back
 * ("disable the feature flag" before any redeploy). A class with static factories, so every jsii
 * language builds them the same way.
 */

/** Where a kill switch lives. */
export enum KillSwitchKind {
  /** An SSM parameter, set to its off value. */
  SSM_PARAMETER = 'ssm-parameter',
  /** An AWS AppConfig configuration profile in one environment, deployed back to its captured version. */
  APPCONFIG = 'appconfig',
}

/** How kill switches relate to the traffic flip when a release breaches. */
export enum KillSwitchMode {
  /** Turn the switches off, then move traffic (and configuration) back as usual. */
  BEFORE_TRAFFIC = 'before-traffic',
  /**
   * Turn the switches off and nothing else: traffic and configuration stay as they are (the
   * rollback's outcome is `kill-switched`). For releases whose risk is all behind the switches.
   */
  INSTEAD_OF_TRAFFIC = 'instead-of-traffic',
}

/** An SSM parameter kill switch. */
export interface SsmKillSwitchOptions {
  /** The parameter's name, e.g. `/checkout/new-pricing` (the watchdog reads, writes and captures it). */
  readonly name: string;
  /** The value that turns the feature off, written as a new version of the parameter. */
  readonly offValue: string;
}

/** An AWS AppConfig kill switch: a feature flag or hosted configuration in one environment. */
export interface AppConfigKillSwitchOptions {
  /** The application's id (4-7 lowercase letters or digits). */
  readonly applicationId: string;
  /** The environment's id. */
  readonly environmentId: string;
  /** The configuration profile's id (the feature flags). */
  readonly configurationProfileId: string;
  /**
   * The deployment strategy that deploys the captured version back: an id or a predefined
   * strategy's name.
   * @default 'AppConfig.AllAtOnce' - the flag is off everywhere at once
   */
  readonly deploymentStrategyId?: string;
}

/**
 * A kill switch: captured with the release, and on a breach applied before (or instead of) the
 * traffic flip, each a step of its own in the audit record, read back like every other step.
 */
export class KillSwitch {
  /** The strategy an AppConfig kill switch deploys with when none is given. */
  public static readonly DEFAULT_APPCONFIG_DEPLOYMENT_STRATEGY: string = 'AppConfig.AllAtOnce';

  /** An SSM parameter set to `offValue` on a breach (its captured version is recorded). */
  public static ssmParameter(options: SsmKillSwitchOptions): KillSwitch {
    return new KillSwitch(KillSwitchKind.SSM_PARAMETER, { name: options.name, offValue: options.offValue });
  }

  /**
   * An AppConfig configuration profile: on a breach an in-progress deployment of it is stopped, and
   * the version deployed at capture is deployed again when the live one differs.
   */
  public static appConfig(options: AppConfigKillSwitchOptions): KillSwitch {
    return new KillSwitch(KillSwitchKind.APPCONFIG, {
      applicationId: options.applicationId,
      environmentId: options.environmentId,
      configurationProfileId: options.configurationProfileId,
      deploymentStrategyId: options.deploymentStrategyId ?? KillSwitch.DEFAULT_APPCONFIG_DEPLOYMENT_STRATEGY,
    });
  }

  /** Where the switch lives. */
  public readonly kind: KillSwitchKind;
  /** The parameter's name (SSM switches). */
  public readonly parameterName?: string;
  /** The value that turns the feature off (SSM switches). */
  public readonly offValue?: string;
  /** The application's id (AppConfig switches). */
  public readonly applicationId?: string;
  /** The environment's id (AppConfig switches). */
  public readonly environmentId?: string;
  /** The configuration profile's id (AppConfig switches). */
  public readonly configurationProfileId?: string;
  /** The deployment strategy's id (AppConfig switches). */
  public readonly deploymentStrategyId?: string;

  private constructor(
    kind: KillSwitchKind,
    fields: {
      name?: string;
      offValue?: string;
      applicationId?: string;
      environmentId?: string;
      configurationProfileId?: string;
      deploymentStrategyId?: string;
    },
  ) {
    this.kind = kind;
    this.parameterName = fields.name;
    this.offValue = fields.offValue;
    this.applicationId = fields.applicationId;
    this.environmentId = fields.environmentId;
    this.configurationProfileId = fields.configurationProfileId;
    this.deploymentStrategyId = fields.deploymentStrategyId;
  }
}
