/**
 * The ports the engine acts through, named by intent. Adapters implement them over the AWS SDK; tests
 * implement them in memory. The engine never sees an SDK type.
 */
import type { CallerProof, CapturedAlias, ListenerAction, MemberReport } from '../../lib';

/** A listener's live default actions and the actions of its rules. */
export interface ListenerState {
  readonly listenerArn: string;
  readonly defaultActions: ListenerAction[];
  readonly rules: RuleState[];
}

/** A listener rule's live actions. */
export interface RuleState {
  readonly ruleArn: string;
  readonly priority: string;
  readonly actions: ListenerAction[];
  /** Why the rule's actions could not be read (an action kind the watchdog cannot restore). */
  readonly unsupported?: string;
}

/** How many targets of a target group are healthy. */
export interface TargetHealthSummary {
  readonly targetGroupArn: string;
  readonly healthy: number;
  readonly total: number;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** An alarm's state as CloudWatch reports it now. */
export interface AlarmState {
  readonly name: string;
  readonly arn: string;
  readonly value: AlarmStateValue;
  /** ISO 8601. */
  readonly updatedAt: string;
}

/** ELBv2: read and restore listener and rule actions; read target health. */
export interface TrafficPort {
  /** The listener's default actions and its rules (all pages). */
  describeListener(listenerArn: string): Promise<ListenerState>;
  /**
   * The default actions of many listeners, batched (DescribeListeners takes 20 ARNs a call). A
   * listener that does not exist is missing from the map.
   */
  describeDefaultActions(listenerArns: readonly string[]): Promise<Map<string, ListenerAction[]>>;
  /** The listener's rules (all pages), default rule left out. */
  describeRules(listenerArn: string): Promise<RuleState[]>;
  /** Replaces the listener's default actions only; protocol, port, TLS policy and certificates stay. */
  restoreListenerActions(listenerArn: string, actions: ListenerAction[]): Promise<void>;
  /** Replaces the rule's actions only; its conditions and priority stay. */
  restoreRuleActions(ruleArn: string, actions: ListenerAction[]): Promise<void>;
  /** `signal`: the caller no longer needs the answer (a call still waiting for its turn gives up). */
  targetHealth(
    targetGroupArn: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<TargetHealthSummary>;
  /** The ARN of the load balancer's listener on `port`, if there is one (all pages). */
  findListenerArn(loadBalancerArn: string, port: number): Promise<string | undefined>;
  /** The ARNs of the named target groups; names that do not exist are missing from the map. */
  findTargetGroupArns(names: readonly string[]): Promise<Map<string, string>>;
}

/** CloudWatch: the current state of alarms. */
export interface AlarmPort {
  /** States of the named alarms; an alarm that does not exist is missing from the result. */
  alarmStates(names: readonly string[]): Promise<AlarmState[]>;
}

/** Lambda: read and restore alias versions and routing. */
export interface AliasPort {
  describeAlias(functionName: string, aliasName: string): Promise<CapturedAlias>;
  restoreAlias(alias: CapturedAlias): Promise<void>;
}

/** SSM Parameter Store: read the live version, restore an earlier version's value as a new version. */
export interface ParameterPort {
  currentVersion(name: string): Promise<number>;
  /** Whether the live value and type are those of `version` (restoring writes a new version, so numbers differ). */
  matchesVersion(name: string, version: number): Promise<boolean>;
  /** Writes the value (and type) of `version` back as the newest version. */
  restoreVersion(name: string, version: number): Promise<void>;
  /** The live value (a kill switch's verification reads it). */
  currentValue(name: string): Promise<string>;
  /** Writes `value` as the newest version, keeping the parameter's type; resolves the new version. */
  putValue(name: string, value: string): Promise<number>;
}

/** The artifact store's artifacts: read the live version id, make an earlier version current again. */
export interface ArtifactPort {
  currentVersionId(key: string): Promise<string>;
  /** Whether the live content is that of `versionId` (restoring copies it to a new version id). */
  matchesVersion(key: string, versionId: string): Promise<boolean>;
  /** Copies `versionId` over the key, so it becomes the current version again. */
  restoreVersion(key: string, versionId: string): Promise<void>;
}

/** A JSON object read from the store with its entity tag (for compare-and-swap writes). */
export interface StoredJson {
  readonly body: unknown;
  readonly etag: string;
  readonly versionId?: string;
}

/** How a conditional write is conditioned. */
export type WriteCondition = { readonly ifNoneMatch: true } | { readonly ifMatch: string };

/** The artifact store as the watchdog's database: JSON documents with conditional writes. */
export interface StorePort {
  getJson(key: string, versionId?: string): Promise<StoredJson | undefined>;
  /** Writes the document; with a condition, resolves `'precondition-failed'` when it does not hold. */
  putJson(
    key: string,
    body: unknown,
    condition?: WriteCondition,
  ): Promise<{ readonly etag: string; readonly versionId?: string } | 'precondition-failed'>;
  /** Removes the key (a delete marker in the versioned store; the history stays). */
  deleteObject(key: string): Promise<void>;
}

/** SNS: one notification per decision. */
export interface NotifyPort {
  publish(subject: string, message: unknown): Promise<void>;
}

/** A recovery point as AWS Backup describes it. */
export interface RecoveryPointInfo {
  readonly recoveryPointArn: string;
  readonly resourceArn: string;
  readonly resourceType: string;
  readonly vaultName: string;
  /** COMPLETED, PARTIAL, DELETING, EXPIRED (AWS Backup's `RecoveryPointStatus`). */
  readonly status: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly completedAt?: string;
  /** When its lifecycle deletes it (ISO 8601). */
  readonly deleteAt?: string;
}

/** A restore job: started by a restore testing plan, or by `restore-data`. */
export interface RestoreJobInfo {
  readonly restoreJobId: string;
  /** PENDING, RUNNING, COMPLETED, ABORTED, FAILED. */
  readonly status: string;
  readonly recoveryPointArn?: string;
  readonly createdAt: string;
  readonly completedAt?: string;
  readonly percentDone?: string;
  readonly createdResourceArn?: string;
  readonly statusMessage?: string;
  /** Set for restore tests: the restore testing plan that started it. */
  readonly restoreTestingPlanArn?: string;
  /** For restore tests: SUCCESSFUL, FAILED, TIMED_OUT, VALIDATING (AWS Backup's `ValidationStatus`). */
  readonly validationStatus?: string;
}

/** A backup job's progress. */
export interface BackupJobInfo {
  readonly backupJobId: string;
  /** AWS Backup's `BackupJobState`: CREATED, PENDING, RUNNING, COMPLETED, FAILED, ABORTED, EXPIRED, PARTIAL. */
  readonly state: string;
  readonly recoveryPointArn?: string;
  readonly completedAt?: string;
  readonly statusMessage?: string;
}

/**
 * AWS Backup: an on-demand backup tagged with the release id at capture; the reads of the readiness
 * gate; and the restore an operator asks for (never automatic).
 */
export interface BackupPort {
  startBackup(input: {
    readonly vaultName: string;
    readonly roleArn: string;
    readonly resourceArn: string;
    readonly releaseId: string;
    readonly deleteAfterDays: number;
  }): Promise<{ readonly backupJobId: string; readonly recoveryPointArn?: string }>;
  describeBackupJob(backupJobId: string): Promise<BackupJobInfo>;
  /** The resource's newest COMPLETED recovery point in any vault, if it has one. */
  latestRecoveryPoint(resourceArn: string): Promise<RecoveryPointInfo | undefined>;
  /** The resource's newest restore job started by a restore testing plan, if any. */
  latestRestoreTest(resourceArn: string): Promise<RestoreJobInfo | undefined>;
  /** A recovery point, or undefined when AWS Backup does not know it (deleted, wrong vault). */
  describeRecoveryPoint(vaultName: string, recoveryPointArn: string): Promise<RecoveryPointInfo | undefined>;
  /** The metadata a restore of the recovery point starts from (GetRecoveryPointRestoreMetadata). */
  restoreMetadata(vaultName: string, recoveryPointArn: string): Promise<Record<string, string>>;
  /** Starts a restore job; the token makes a retried start one job. */
  startRestore(input: {
    readonly recoveryPointArn: string;
    readonly roleArn: string;
    readonly resourceType: string;
    readonly metadata: Record<string, string>;
    readonly idempotencyToken: string;
  }): Promise<string>;
  describeRestoreJob(restoreJobId: string): Promise<RestoreJobInfo>;
}

/** Who STS says signed a caller proof. */
export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

/** STS: checks a caller proof (a presigned GetCallerIdentity bound to the request's digest). */
export interface IdentityPort {
  /**
   * Sends the presigned request to STS with the `x-switchback-request` header valued `digest`.
   * Resolves the identity STS answers with; rejects with an `AwsCallError` of kind `access-denied`
   * when STS refuses the signature (tampered request, expired proof, wrong digest) and `invalid` when
   * the proof is not a GetCallerIdentity for this watchdog's STS endpoint.
   */
  verify(proof: CallerProof, digest: string): Promise<CallerIdentity>;
}

/** The rollback group's coordinator, told of this member's rollbacks and acknowledgements. */
export interface GroupPort {
  /** Invokes the coordinator asynchronously (Lambda queues and retries it); resolves once queued. */
  report(coordinatorFunctionArn: string, report: MemberReport): Promise<void>;
}

/** Smoke checks: an HTTP request against a listener, or the user's own Lambda function. */
export interface SmokeCheckPort {
  /** One GET; never throws for an answer (any status), only resolves what came back or why not. */
  httpGet(
    url: string,
    timeoutMs: number,
  ): Promise<{ readonly status?: number; readonly body?: string; readonly error?: string }>;
  /** Invokes the function synchronously (RequestResponse) with `payload`. */
  invokeFunction(
    functionArn: string,
    payload: unknown,
    timeoutMs: number,
  ): Promise<{ readonly functionError?: string; readonly result: unknown }>;
}

/** A configuration profile's deployment in an AppConfig environment. */
export interface AppConfigDeployment {
  readonly deploymentNumber: number;
  readonly configurationProfileId: string;
  readonly configurationVersion: string;
  /** AppConfig's states: BAKING, VALIDATING, DEPLOYING, COMPLETE, ROLLING_BACK, ROLLED_BACK, REVERTED. */
  readonly state: string;
}

/** AWS AppConfig: what an environment has deployed, stop a deployment, deploy a version again. */
export interface AppConfigPort {
  /** The environment's deployments of the profile, newest first (the first page is enough). */
  deployments(
    applicationId: string,
    environmentId: string,
    configurationProfileId: string,
  ): Promise<AppConfigDeployment[]>;
  stopDeployment(applicationId: string, environmentId: string, deploymentNumber: number): Promise<void>;
  /** Deploys `configurationVersion`; resolves the new deployment's number. */
  startDeployment(input: {
    readonly applicationId: string;
    readonly environmentId: string;
    readonly configurationProfileId: string;
    readonly configurationVersion: string;
    readonly deploymentStrategyId: string;
    readonly description: string;
  }): Promise<number>;
}

/** What kind of failure an adapter saw, so the engine can decide to retry. */
export type FailureKind = 'throttled' | 'transient' | 'not-found' | 'access-denied' | 'invalid';

/** A failed call to AWS, mapped by an adapter from the SDK's error. */
export class AwsCallError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation} failed (${code}): ${message}`);
    this.name = 'AwsCallError';
  }

  /** The service's own message, without the operation and code this error's message begins with. */
  get detail(): string {
    const prefix = `${this.operation} failed (${this.code}): `;
    return this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
  }

  /** Throttling and server-side errors may succeed when tried again. */
  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'transient';
  }
}

/** Every port the engine needs. */
export interface WatchdogPorts {
  readonly traffic: TrafficPort;
  readonly alarms: AlarmPort;
  readonly aliases: AliasPort;
  readonly parameters: ParameterPort;
  readonly artifacts: ArtifactPort;
  readonly store: StorePort;
  readonly notify: NotifyPort;
  readonly backup?: BackupPort;
  readonly checks?: SmokeCheckPort;
  readonly appConfig?: AppConfigPort;
  /** Checks caller proofs of manual actions. */
  readonly identity?: IdentityPort;
  /** Reports to the rollback group's coordinator, when the service is in a group. */
  readonly group?: GroupPort;
}
