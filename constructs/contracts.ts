/**
 * The types the constructs hand to each other, in a shape every jsii language can use: enums for
 * closed sets, plain structs, and `I…` interfaces so a resource defined elsewhere (another stack,
 * another tool) can stand in for one defined here (`fromXxxAttributes`).
 */
import type { ITerraformDependable } from 'cdktf';
import type { IConstruct } from 'constructs';

/** The two colors of a blue-green pair. */
export enum Color {
  BLUE = 'blue',
  GREEN = 'green',
}

/** What a protected listener does in a release. */
export enum ListenerRole {
  /** Serves production traffic; the watchdog switches it back. */
  PRODUCTION = 'production',
  /** Always forwards to the candidate color; the watchdog moves it along with production. */
  TEST = 'test',
}

/** One value per color: the target group ARNs, or names, of a blue-green pair. */
export interface BlueGreenPair {
  /** The blue target group's value. */
  readonly blue: string;
  /** The green target group's value. */
  readonly green: string;
}

/**
 * A listener the watchdog protects, by ARN, or by its load balancer and port (known at synth time, so
 * the watchdog's configuration need not depend on the listener resource).
 */
export interface ProtectedListenerAttributes {
  /** A stable name within the service: 1-32 lowercase letters, digits or hyphens (`production`, `test`). */
  readonly name: string;
  /** Whether the listener serves production traffic or always forwards to the candidate. */
  readonly role: ListenerRole;
  /** The listener's ARN. Give this, or `loadBalancerArn` and `port`. @default - none */
  readonly listenerArn?: string;
  /** The load balancer's ARN. Give it with `port`, or give `listenerArn`. @default - none */
  readonly loadBalancerArn?: string;
  /** The listener's port, 1-65535, with `loadBalancerArn`. @default - none */
  readonly port?: number;
  /** The two target groups by ARN. Give this or `targetGroupNames`. @default - none */
  readonly targetGroupArns?: BlueGreenPair;
  /** The two target groups by name. Give this or `targetGroupArns`. @default - none */
  readonly targetGroupNames?: BlueGreenPair;
  /** Listener rules whose actions are restored with the default action, by ARN. @default - none */
  readonly ruleArns?: string[];
  /** The same, by priority (1-50000). @default - none */
  readonly rulePriorities?: number[];
  /**
   * The color the stack declares active for this release (a production listener). With a traffic
   * shift, the watchdog's capture refuses a release whose declared color is not where live traffic
   * is (a promotion the stack has not followed).
   * @default - not checked
   */
  readonly activeColor?: Color;
}

/** An alarm the watchdog protects: a breach of it rolls the release back. */
export interface ProtectedAlarmProps {
  /** The alarm's name. */
  readonly name: string;
  /** The alarm's ARN. */
  readonly arn: string;
}

/** An artifact store: a versioned S3 bucket holding the watchdog's configuration, manifests and audit trail. */
export interface IArtifactStore extends IConstruct {
  /** The service the store belongs to: 1-40 of `[a-z0-9-]`. */
  readonly serviceName: string;
  /** The bucket's name. */
  readonly bucketName: string;
  /** The bucket's ARN. */
  readonly bucketArn: string;
  /** The KMS key objects are encrypted with, when SSE-KMS. */
  readonly kmsKeyArn?: string;
}

/** A store defined elsewhere, for `VersionedArtifactStore.fromArtifactStoreAttributes`. */
export interface ArtifactStoreAttributes {
  /** The service the store belongs to: 1-40 of `[a-z0-9-]`. */
  readonly serviceName: string;
  /** The bucket's name (versioning must be enabled on it). */
  readonly bucketName: string;
  /** The KMS key objects are encrypted with. @default - SSE-S3 */
  readonly kmsKeyArn?: string;
}

/** A blue-green pair of target groups behind a production listener (and perhaps a test listener). */
export interface IBlueGreenListener extends IConstruct {
  /** The service the listener belongs to: 1-40 of `[a-z0-9-]`. */
  readonly serviceName: string;
  /** The listeners the watchdog protects, in the watchdog configuration's shape. */
  readonly protectedListeners: ProtectedListenerAttributes[];
  /**
   * Every resource that changes where traffic goes: what must wait for the watchdog's capture (none
   * when imported). Each must be a Terraform resource or module (it gets a `depends_on`).
   */
  readonly trafficResources: ITerraformDependable[];
}

/** A blue-green listener defined elsewhere, for `BlueGreenListener.fromBlueGreenListenerAttributes`. */
export interface BlueGreenListenerAttributes {
  /** The service the listener belongs to: 1-40 of `[a-z0-9-]`. */
  readonly serviceName: string;
  /** The load balancer's ARN. */
  readonly loadBalancerArn: string;
  /** The production listener's port. */
  readonly port: number;
  /** The blue target group's name. */
  readonly blueTargetGroupName: string;
  /** The green target group's name. */
  readonly greenTargetGroupName: string;
  /** The priorities of the production listener's rules. @default - none */
  readonly rulePriorities?: number[];
  /** The test listener's port, when there is one. @default - no test listener */
  readonly testListenerPort?: number;
  /**
   * The color the stack declares active for the current release; with a traffic shift, capture
   * refuses a release whose declared color is not where live traffic is.
   * @default - not checked
   */
  readonly activeColor?: Color;
}

/** A rollback watchdog: the Lambda function that captures releases and switches traffic back. */
export interface IRollbackWatchdog extends IConstruct {
  /** The service the watchdog protects. */
  readonly serviceName: string;
  /** The watchdog function's ARN: an alarm action that triggers it. */
  readonly functionArn: string;
  /** The watchdog function's name (what the CLI invokes). */
  readonly functionName: string;
}

/** A watchdog defined elsewhere, for `RollbackWatchdog.fromRollbackWatchdogAttributes`. */
export interface RollbackWatchdogAttributes {
  /** The service the watchdog protects: 1-40 of `[a-z0-9-]`. */
  readonly serviceName: string;
  /** The watchdog function's unqualified ARN (no alias or version). */
  readonly functionArn: string;
  /** The watchdog function's name, the one `functionArn` names. */
  readonly functionName: string;
}

/**
 * Membership of a rollback group, as a watchdog's configuration holds it: the watchdog tells the group's
 * coordinator of each rollback it makes and each acknowledgement, and may invoke it. A `RollbackGroup`
 * sets it on the watchdogs of its stack (`RollbackWatchdog.joinGroup`); a watchdog whose group is defined
 * elsewhere (another stack, region or tool) takes it as `groupMembership`.
 */
export interface RollbackGroupMembership {
  /** The group's name: 1-40 lowercase letters, digits or hyphens. */
  readonly groupName: string;
  /**
   * The group coordinator's unqualified function ARN (any region of the account): the function
   * `RollbackGroup.coordinatorFunctionName(groupName)` names.
   */
  readonly coordinatorFunctionArn: string;
}
