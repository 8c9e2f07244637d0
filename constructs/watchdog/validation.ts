/**
 * Synth-time checks of RollbackWatchdog's props. A prop that becomes a field of the watchdog's
 * configuration is checked by parsing it with that field's part of lib's schema, so the bounds and
 * patterns are written once (in lib); the rest are rules of the resources the construct defines.
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import * as z from 'zod/mini';
import {
  ARN_PATTERNS,
  DEFAULT_HEALTH_PING,
  overrideSchema,
  DEFAULT_ROLLBACK_POLICY,
  RELEASE_ID_PATTERN,
  watchdogConfigParts,
  watchdogConfigSchema,
  type ProtectedListenerInput,
} from '../../lib';
import type {
  ProtectedAlarmProps,
  ProtectedListenerAttributes,
  RollbackGroupMembership,
  RollbackWatchdogAttributes,
} from '../contracts';
import { isKnown, PropValidator, show, SwitchbackValidationError } from '../internal/validation';
import { BACKUP_WAIT_MARGIN_SECONDS } from './functions';
import { VerifiedCallers, WatchdogArchitecture, type RollbackWatchdogProps } from './props';
import { STORE_GRANT_PREFIX } from '../internal/store-access';
import { toConfigListener } from './subjects';

/** A Lambda function's name: 1-64 letters, digits, hyphens or underscores. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A Lambda function's unqualified ARN; the name is captured. */
const UNQUALIFIED_FUNCTION_ARN = ARN_PATTERNS.lambdaFunction;

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy); any other number fails at apply. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** The prober's timeout: a run probes until 15 s before it. */
export const HEALTH_PING_TIMEOUT_SECONDS = 60;
const HEALTH_PING_PROBING_SECONDS = HEALTH_PING_TIMEOUT_SECONDS - 15;

/** lib's schema as the constructs use it: Terraform references pass the format checks. */
const AT_SYNTH = { isUnresolved: (value: string | number) => Token.isUnresolved(value) };
let synthParts: ReturnType<typeof watchdogConfigParts> | undefined;
let synthSchema: ReturnType<typeof watchdogConfigSchema> | undefined;

/** The parts of lib's schema for synth, built once per process (a build costs milliseconds). */
export function configPartsAtSynth(): ReturnType<typeof watchdogConfigParts> {
  synthParts ??= watchdogConfigParts(AT_SYNTH);
  return synthParts;
}

/** The whole of lib's schema for synth, built once per process. */
export function configSchemaAtSynth(): ReturnType<typeof watchdogConfigSchema> {
  synthSchema ??= watchdogConfigSchema(AT_SYNTH);
  return synthSchema;
}

/** The rollback-policy props: each is the configuration's `policy` field of the same name. */
const POLICY_PROPS = [
  'evaluationWindowMinutes',
  'cooldownMinutes',
  'maxAutomaticRollbacks',
  'budgetWindowMinutes',
  'maxEventAgeSeconds',
  'allowCaptureWhileAlarming',
  'minHealthyTargets',
  'minHealthyPercentOfCandidate',
  'repageMinutes',
  'freezeMinutes',
] as const satisfies readonly (keyof RollbackWatchdogProps & keyof typeof DEFAULT_ROLLBACK_POLICY)[];

/** Parses `value` with one part of lib's schema; the first problem is thrown against `prop`. */
export function parseAs(scope: IConstruct, prop: string, schema: z.ZodMiniType, value: unknown): void {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return;
  const [issue] = result.error.issues;
  const where = issue.path.reduce<string>(
    (path, key) =>
      typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${String(key)}` : String(key),
    prop,
  );
  // A whole list or object is not repeated in the message; its path says which one.
  const input = 'input' in issue ? issue.input : undefined;
  const received = input !== undefined && typeof input !== 'object' ? `got ${show(input)}; ` : '';
  throw new SwitchbackValidationError(scope.node.path, where, `${received}${issue.message}.`);
}

/** Checks the props, throwing a SwitchbackValidationError naming the first bad one. */
export function validateWatchdogProps(
  scope: IConstruct,
  serviceName: string,
  timeoutSeconds: number,
  props: RollbackWatchdogProps,
  listeners: readonly ProtectedListenerInput[],
): void {
  const check = new PropValidator(scope);
  const part = configPartsAtSynth();
  check.literal('serviceName', serviceName, 'it names the function, its keys in the store and its IAM scope');
  parseAs(scope, 'serviceName', part.service, serviceName);
  check.matches(
    'releaseId',
    props.releaseId,
    RELEASE_ID_PATTERN,
    'must be 1-128 letters, digits, dots, underscores or hyphens, starting with a letter or digit.',
  );
  // The watchdog re-checks its configuration when it loads it, after the deploy has replaced the old
  // one: a number it would refuse then leaves the live release unprotected. So numbers are checked
  // here, and must be known here.
  const atSynth =
    'the watchdog checks it against its bounds when it loads its configuration, after the deploy';
  for (const [prop, value] of [
    ['timeoutSeconds', timeoutSeconds],
    ...POLICY_PROPS.map((name) => [name, props[name]] as const),
    ['healthPing.intervalSeconds', props.healthPing?.intervalSeconds],
    ['healthPing.failuresToBreach', props.healthPing?.failuresToBreach],
    ['healthPing.timeoutMs', props.healthPing?.timeoutMs],
    ['backup.deleteAfterDays', props.backup?.deleteAfterDays],
    ['backup.readiness.maxRecoveryPointAgeHours', props.backup?.readiness?.maxRecoveryPointAgeHours],
    ['backup.readiness.maxRestoreTestAgeDays', props.backup?.readiness?.maxRestoreTestAgeDays],
    ['backup.readiness.waitForBackupSeconds', props.backup?.readiness?.waitForBackupSeconds],
  ] as const) {
    check.literal(prop, value, atSynth);
  }
  // A watchdog with nothing protected is refused at synth (listeners may still be added).

  // The props that become configuration fields, each through its field's rule.
  if (props.serviceRegion !== undefined) parseAs(scope, 'serviceRegion', part.region, props.serviceRegion);
  for (const name of POLICY_PROPS) {
    if (props[name] !== undefined) parseAs(scope, name, part.policy.shape[name], props[name]);
  }
  (props.protectedListeners ?? []).forEach((listener, index) =>
    parseAs(scope, `protectedListeners[${index}]`, part.listener, listener),
  );
  // Names must be unique across the listeners of both props.
  if (listeners.length > 0) {
    parseAs(
      scope,
      (props.protectedListeners ?? []).length > 0 ? 'protectedListeners' : 'listeners',
      part.listeners,
      [...listeners],
    );
  }
  (props.alarms ?? []).forEach((alarm, index) => parseAs(scope, `alarms[${index}]`, part.alarm, alarm));
  (props.aliases ?? []).forEach((alias, index) => parseAs(scope, `aliases[${index}]`, part.alias, alias));
  (props.parameterNames ?? []).forEach((name, index) =>
    parseAs(scope, `parameterNames[${index}]`, part.parameterName, name),
  );
  (props.artifactKeys ?? []).forEach((key, index) =>
    parseAs(scope, `artifactKeys[${index}]`, part.artifactKey, key),
  );
  if (props.healthPing) {
    const { scheduleMinutes, ...fields } = props.healthPing;
    parseAs(scope, 'healthPing', part.healthPing, fields);
    check.integerInRange(
      'healthPing.scheduleMinutes',
      scheduleMinutes,
      1,
      1440,
      'EventBridge schedules run at most once a minute',
    );
    const interval = props.healthPing.intervalSeconds ?? DEFAULT_HEALTH_PING.intervalSeconds;
    const failures = props.healthPing.failuresToBreach ?? DEFAULT_HEALTH_PING.failuresToBreach;
    if (failures * interval > HEALTH_PING_PROBING_SECONDS) {
      check.conflict(
        'healthPing.failuresToBreach',
        `${failures} failed rounds every ${interval} s take ${failures * interval} s, longer than the ${HEALTH_PING_PROBING_SECONDS} s a probing run lasts (failures are counted within one run); lower failuresToBreach or intervalSeconds.`,
      );
    }
  }
  if (props.backup) parseAs(scope, 'backup', part.backup, props.backup);
  validateReleaseSafety(scope, check, timeoutSeconds, props);

  // Stricter than the configuration allows, because of what the construct does with them.
  (props.artifactKeys ?? []).forEach((key, index) => {
    check.matches(
      `artifactKeys[${index}]`,
      key,
      /^artifacts\/[^*?]*\/[^/*?]+$/,
      "must be an object key under 'artifacts/' with a folder, e.g. 'artifacts/checkout/app.zip'.",
    );
    // The watchdog is granted the key's folder: a prefix the store's grants take.
    check.matches(
      `artifactKeys[${index}]`,
      key.slice(0, key.lastIndexOf('/') + 1),
      STORE_GRANT_PREFIX,
      "must be in folders of letters, digits and !_.'()- (the watchdog is granted the key's folder).",
    );
  });
  (props.aliases ?? []).forEach((alias, index) =>
    check.matches(
      `aliases[${index}].functionName`,
      alias.functionName,
      FUNCTION_NAME_PATTERN,
      'must be a function name (not an ARN): the watchdog addresses it in the service region and account.',
    ),
  );

  // The function and its triggers.
  check.integerInRange(
    'timeoutSeconds',
    timeoutSeconds,
    30,
    870,
    'a run must end well inside the lock lease of at most 900 s',
  );
  check.integerInRange('memorySizeMb', props.memorySizeMb, 128, 10240);
  if (props.logRetentionDays !== undefined && isKnown(props.logRetentionDays)) {
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      check.fail(
        'logRetentionDays',
        props.logRetentionDays,
        `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}.`,
      );
    }
  }
  check.oneOf('architecture', props.architecture, Object.values(WatchdogArchitecture));
  (props.parameterKmsKeyArns ?? []).forEach((arn, index) =>
    check.matches(`parameterKmsKeyArns[${index}]`, arn, ARN_PATTERNS.kmsKey, 'must be a KMS key ARN.'),
  );
  // The subscription is made in the topic's region, read from the ARN: a bad ARN would fail at plan.
  (props.alarmTopicArns ?? []).forEach((arn, index) =>
    check.matches(`alarmTopicArns[${index}]`, arn, ARN_PATTERNS.snsTopic, 'must be an SNS topic ARN.'),
  );
  (props.operatorRoleArns ?? []).forEach((arn, index) =>
    check.matches(`operatorRoleArns[${index}]`, arn, ARN_PATTERNS.iamRole, 'must be an IAM role ARN.'),
  );
}

/** The message of a watchdog with nothing protected, the same at every check. */
export function nothingProtectedError(scope: IConstruct): SwitchbackValidationError {
  return new SwitchbackValidationError(
    scope.node.path,
    'listeners',
    'a watchdog with nothing protected does nothing; give listeners (BlueGreenListener) or protectedListeners, or call addListener() or addProtectedListener() before synth.',
  );
}

/**
 * Checks listeners being added, each named by `where(index)` (e.g. `addProtectedListener(listener)`):
 * each with the configuration's rule for a listener, and its name unique among `existing`.
 */
export function validateAddedListeners(
  scope: IConstruct,
  where: (index: number) => string,
  added: readonly ProtectedListenerAttributes[],
  existing: readonly ProtectedListenerInput[],
): void {
  const part = configPartsAtSynth();
  const names = new Set(existing.map((listener) => listener.name));
  added.forEach((listener, index) => {
    parseAs(scope, where(index), part.listener, toConfigListener(listener));
    if (names.has(listener.name)) {
      throw new SwitchbackValidationError(
        scope.node.path,
        `${where(index)}.name`,
        `got ${show(listener.name)}; listener names must be unique: the watchdog protects a listener of that name already.`,
      );
    }
    names.add(listener.name);
  });
}

/** Checks an alarm being added with `addAlarm` (the configuration's rule for an alarm). */
export function validateAddedAlarm(scope: IConstruct, prop: string, alarm: ProtectedAlarmProps): void {
  parseAs(scope, prop, configPartsAtSynth().alarm, alarm);
}

/** Checks the attributes of a watchdog defined elsewhere; values only Terraform knows pass. */
export function validateWatchdogAttributes(scope: IConstruct, attrs: RollbackWatchdogAttributes): void {
  const check = new PropValidator(scope);
  check.required(
    attrs,
    ['serviceName', 'functionArn', 'functionName'],
    'to use a watchdog defined elsewhere',
  );
  if (isKnown(attrs.serviceName))
    parseAs(scope, 'serviceName', configPartsAtSynth().service, attrs.serviceName);
  check.matches(
    'functionArn',
    attrs.functionArn,
    UNQUALIFIED_FUNCTION_ARN,
    "must be a Lambda function's unqualified ARN (arn:aws:lambda:<region>:<account>:function:<name>, no :alias or :version): the watchdog lets alarms invoke the function itself, and Lambda refuses an invoke of a qualified ARN that permission does not name.",
  );
  check.matches(
    'functionName',
    attrs.functionName,
    FUNCTION_NAME_PATTERN,
    'must be a Lambda function name: 1-64 letters, digits, hyphens or underscores (not an ARN).',
  );
  if (isKnown(attrs.functionArn) && isKnown(attrs.functionName)) {
    const named = UNQUALIFIED_FUNCTION_ARN.exec(attrs.functionArn)?.[1];
    if (named !== attrs.functionName) {
      check.fail('functionName', attrs.functionName, `must be the function functionArn names ('${named}').`);
    }
  }
}

/**
 * The release-safety props: the backup readiness gate (and the timeout its wait needs), the freeze, the
 * caller verification, group membership and this release's overrides.
 */
function validateReleaseSafety(
  scope: IConstruct,
  check: PropValidator,
  timeoutSeconds: number,
  props: RollbackWatchdogProps,
): void {
  check.oneOf('verifiedCallers', props.verifiedCallers, Object.values(VerifiedCallers));
  const readiness = props.backup?.readiness;
  if (readiness !== undefined) {
    const { maxRecoveryPointAgeHours, maxRestoreTestAgeDays, waitForBackupSeconds } = readiness;
    if (
      [maxRecoveryPointAgeHours, maxRestoreTestAgeDays, waitForBackupSeconds].every((v) => v === undefined)
    ) {
      check.conflict(
        'backup.readiness',
        'sets no check: give maxRecoveryPointAgeHours, maxRestoreTestAgeDays or waitForBackupSeconds, or leave readiness out.',
      );
    }
    if (
      waitForBackupSeconds !== undefined &&
      timeoutSeconds < waitForBackupSeconds + BACKUP_WAIT_MARGIN_SECONDS
    ) {
      check.conflict(
        'timeoutSeconds',
        `got ${timeoutSeconds}; the capture waits up to ${waitForBackupSeconds} s for the backup (backup.readiness.waitForBackupSeconds) and needs ${BACKUP_WAIT_MARGIN_SECONDS} s more to record the release: give at least ${waitForBackupSeconds + BACKUP_WAIT_MARGIN_SECONDS}, or leave timeoutSeconds out (it then covers the wait).`,
      );
    }
  }
  if (props.groupMembership !== undefined) {
    validateGroupMembership(scope, 'groupMembership', props.groupMembership);
  }
  const overrides = props.releaseOverrides;
  if (overrides === undefined) return;
  check.required(overrides, ['releaseId'], 'to say which release the overrides are for');
  if (isKnown(overrides.releaseId) && isKnown(props.releaseId) && overrides.releaseId !== props.releaseId) {
    check.fail(
      'releaseOverrides.releaseId',
      overrides.releaseId,
      `the overrides were declared for release '${overrides.releaseId}' and this deploy is release '${props.releaseId}': an override holds for one release only. Remove releaseOverrides, or set its releaseId to '${props.releaseId}' if this release needs them too.`,
    );
  }
  if (overrides.backupReadinessReason === undefined && overrides.freezeReason === undefined) {
    check.conflict(
      'releaseOverrides',
      'overrides nothing: give backupReadinessReason and/or freezeReason, or leave releaseOverrides out.',
    );
  }
  if (!(props.captureOnDeploy ?? true)) {
    check.conflict(
      'releaseOverrides',
      'goes with the capture on deploy, which captureOnDeploy: false turns off: send the overrides with the capture you run instead (switchback capture --override-backup-readiness/--override-freeze, or "overrides" in the capture request).',
    );
  }
  if (overrides.backupReadinessReason !== undefined && readiness === undefined) {
    check.conflict(
      'releaseOverrides.backupReadinessReason',
      'overrides the backup readiness gate, which is not configured (backup.readiness): leave it out.',
    );
  }
  for (const [prop, reason] of [
    ['backupReadinessReason', overrides.backupReadinessReason],
    ['freezeReason', overrides.freezeReason],
  ] as const) {
    if (reason !== undefined) {
      check.literal(`releaseOverrides.${prop}`, reason, 'it is recorded in the audit as given');
      parseAs(scope, `releaseOverrides.${prop}`, overrideSchema.shape.reason, reason);
    }
  }
  if (overrides.requestedBy !== undefined) {
    parseAs(scope, 'releaseOverrides.requestedBy', overrideSchema.shape.requestedBy, overrides.requestedBy);
  }
}

/** Checks a group membership (given as a prop, or by a group calling `joinGroup`) against lib's rule. */
export function validateGroupMembership(
  scope: IConstruct,
  prop: string,
  membership: RollbackGroupMembership,
): void {
  const check = new PropValidator(scope);
  check.required(membership, ['groupName', 'coordinatorFunctionArn'], 'to join a rollback group');
  const part = configPartsAtSynth().group.shape;
  check.literal(
    `${prop}.groupName`,
    membership.groupName,
    'it names the group in the configuration and the audit',
  );
  parseAs(scope, `${prop}.groupName`, part.name, membership.groupName);
  parseAs(
    scope,
    `${prop}.coordinatorFunctionArn`,
    part.coordinatorFunctionArn,
    membership.coordinatorFunctionArn,
  );
}
