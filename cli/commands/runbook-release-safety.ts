/**
 * The runbook's release-safety sections, from the synthesized app: "Data" (the release's backups, the
 * backup readiness gate, and `switchback restore-data` with the release id the app was synthesized
 * for), "Deploy freeze", and "Rollback group" when the service is a member of one (the members, their
 * order, and what happens when one of them rolls back).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_RELEASE_SAFETY,
  followersOf,
  groupConfigSchema,
  serviceOfWatchdogConfigKey,
  type GroupConfig,
  type WatchdogConfig,
} from '../../lib';
import type { SynthesizedService } from '../synthesized-app';

/** What the runbook says about release safety beyond the watchdog's configuration. */
export interface ReleaseSafetyFacts {
  /** The release id the app was synthesized for (the capture invocation's), when it is a literal. */
  readonly releaseId?: string;
  /** The configuration of the rollback group the service belongs to, when the app defines it. */
  readonly group?: GroupConfig;
}

type Block = Record<string, unknown>;
interface Stack {
  readonly resource?: Record<string, Record<string, Block>>;
  readonly locals?: Record<string, unknown>;
}

/**
 * Reads the release id and the service's rollback group from the synthesized app: the capture
 * invocation of the service's watchdog (its `release_id` trigger) and the group coordinator's
 * configuration local (any stack of the app). Nothing found leaves the fact out.
 */
export function readReleaseSafetyFacts(appDir: string, service: SynthesizedService): ReleaseSafetyFacts {
  const stacks = readStacks(appDir);
  const own = stacks.get(service.stack);
  const releaseId = own ? captureReleaseId(own, service) : undefined;
  const groupName = service.config?.group?.name;
  const group = groupName
    ? [...stacks.values()].flatMap((stack) => {
        const local = stack.locals?.[`switchback_group_config_${groupName}`];
        const parsed = local === undefined ? undefined : groupConfigSchema({ isUnresolved }).safeParse(local);
        return parsed?.success ? [parsed.data] : [];
      })[0]
    : undefined;
  return { ...(releaseId ? { releaseId } : {}), ...(group ? { group } : {}) };
}

function isUnresolved(value: string | number): boolean {
  return typeof value === 'string' && value.includes('${');
}

function readStacks(appDir: string): Map<string, Stack> {
  const stacks = new Map<string, Stack>();
  try {
    const manifest = JSON.parse(readFileSync(join(resolve(appDir), 'manifest.json'), 'utf8')) as {
      stacks?: Record<string, { synthesizedStackPath?: string }>;
    };
    for (const [name, entry] of Object.entries(manifest.stacks ?? {})) {
      const path = entry.synthesizedStackPath ? join(resolve(appDir), entry.synthesizedStackPath) : undefined;
      if (path && existsSync(path)) stacks.set(name, JSON.parse(readFileSync(path, 'utf8')) as Stack);
    }
  } catch {
    // readSynthesizedApp has read the same files already; a runbook without these facts is still one.
  }
  return stacks;
}

/** The literal release id of the capture invocation of the service's watchdog. */
function captureReleaseId(stack: Stack, service: SynthesizedService): string | undefined {
  const functions = Object.entries(stack.resource?.aws_lambda_function ?? {});
  const watchdog = functions.find(([, block]) => {
    const variables = (block.environment as { variables?: Record<string, string> } | undefined)?.variables;
    return (
      serviceOfWatchdogConfigKey(variables?.SWITCHBACK_CONFIG_KEY ?? '') === service.service &&
      variables?.SWITCHBACK_WATCHDOG_FUNCTION === undefined
    );
  });
  if (!watchdog) return undefined;
  const [id] = watchdog;
  for (const block of Object.values(stack.resource?.aws_lambda_invocation ?? {})) {
    const fn = String(block.function_name ?? '');
    if (!fn.includes(`aws_lambda_function.${id}.`) && fn !== service.functionName) continue;
    const release = (block.triggers as Record<string, unknown> | undefined)?.release_id;
    if (typeof release === 'string' && !release.includes('${')) return release;
  }
  return undefined;
}

/** The "Data" section: backups, the readiness gate, and restoring the release's recovery points. */
export function dataSection(service: SynthesizedService, flags: string, facts: ReleaseSafetyFacts): string[] {
  const lines: string[] = ['## Data', ''];
  const backup = service.backup;
  const configured = service.config?.backup;
  if (!backup && !configured) {
    lines.push(
      'This service has no Switchback backup: data changes made by the release are not covered by a rollback, and there is nothing for `switchback restore-data` to restore.',
      '',
    );
    return lines;
  }
  lines.push(
    "A rollback moves traffic and configuration back; it never touches data. Data is restored only by a person, with `switchback restore-data`, and AWS Backup never restores over the original: it creates a **new** resource, and you cut the service over to it. Decide first whether the writes made since the release must be kept (a restore brings the data back to the recovery point's time; later writes stay in the original only).",
    '',
  );
  const resources = backup?.protectedResources ?? configured?.resourceArns ?? [];
  if (backup) {
    lines.push(
      `Backups of ${resources.map((r) => describeValue(r, 'resource')).join(', ') || 'the protected resources'} go to the vault \`${backup.vaultName}\`:`,
      '',
    );
    for (const plan of backup.plans) {
      for (const rule of plan.rules) {
        lines.push(
          `- plan \`${plan.name}\`, rule \`${rule.name}\`: ${rule.schedule ?? 'on demand'}${rule.deleteAfterDays !== undefined ? `, kept ${rule.deleteAfterDays} days` : ''}${rule.copyTo.length > 0 ? `, copied to ${rule.copyTo.join(', ')}` : ''}`,
        );
      }
    }
    if (backup.plans.length === 0) lines.push('- no backup plan of the app targets this vault');
    lines.push('');
  }
  if (configured) {
    lines.push(
      `Before each release, the capture takes an on-demand backup of each protected resource into \`${configured.vaultName}\` (kept ${configured.deleteAfterDays} days); the release's manifest records its recovery points, and they are what \`switchback restore-data\` restores.`,
      '',
    );
    lines.push(...readinessLines(configured.readiness, flags));
  }

  const release = facts.releaseId ?? '<release id>';
  const about = facts.releaseId
    ? `release \`${facts.releaseId}\` (the release this runbook was generated for; for another, use its id from \`switchback history\`)`
    : 'a release (its id is in `switchback history`)';
  lines.push(
    `Restore the data of ${about}:`,
    '',
    "1. List the release's recovery points: resource, type, status, when taken, when AWS Backup deletes them, and whether each can be restored:",
    '',
    '   ```sh',
    `   switchback restore-data ${flags} --release ${release}`,
    '   ```',
    '',
    '2. See what the restore of one creates and the cut-over steps for its resource type (changes nothing):',
    '',
    '   ```sh',
    `   switchback restore-data ${flags} --release ${release} --recovery-point <recovery point ARN> --dry-run`,
    '   ```',
    '',
    '3. Start it. It asks for confirmation (in a script: `--yes`), goes through the watchdog (same IAM gate, audit record and notification as a rollback), and follows the restore job to its end with its progress (`--no-wait` returns once it is started):',
    '',
    '   ```sh',
    `   switchback restore-data ${flags} --release ${release} --recovery-point <recovery point ARN> --reason "<why>"`,
    '   ```',
    '',
    `   Exit code 0: the new resource is ready (its ARN is printed); 1: the restore job failed; 2: refused (a recovery point that is not the release's, expired or not completed, a resource type restore-data does not restore) or not confirmed, and nothing was started.`,
    '',
  );
  if (resources.length > 0) {
    lines.push(
      'What a restore creates (named `<original>-r-<release>-<hash>`; the plan shows the exact name):',
      '',
    );
    for (const resource of resources)
      lines.push(`- ${describeValue(resource, 'resource')}: ${createsFor(resource)}`);
    lines.push('');
  }
  lines.push(
    'Then cut over, as the plan lists for the resource type: point the service at the new resource (or copy the data you need back into the original), set on the new resource what a restore does not bring (scaling, alarms, policies, tags), and delete what is no longer used. `switchback status` shows restores in progress; `switchback history` records each start and its end (`restore-started`, `restored` with the new resource ARN, or `restore-failed`).',
    '',
  );
  return lines;
}

function readinessLines(
  readiness: NonNullable<WatchdogConfig['backup']>['readiness'],
  flags: string,
): string[] {
  if (!readiness) return [];
  const conditions = [
    readiness.maxRecoveryPointAgeHours !== undefined
      ? `its newest completed recovery point is older than ${readiness.maxRecoveryPointAgeHours} hours (or there is none)`
      : undefined,
    readiness.maxRestoreTestAgeDays !== undefined
      ? `its last restore test failed, did not validate, or is older than ${readiness.maxRestoreTestAgeDays} days (or there is none)`
      : undefined,
    readiness.waitForBackupSeconds !== undefined
      ? `the release's own backup has not completed within ${readiness.waitForBackupSeconds} seconds`
      : undefined,
  ].filter((c): c is string => c !== undefined);
  if (conditions.length === 0) return [];
  return [
    'The backup readiness gate refuses a release (the capture fails, so the deploy stops before traffic moves; audited and notified) when, for a protected resource:',
    '',
    ...conditions.map((c) => `- ${c}`),
    '',
    `Fix the backups or their restore tests and deploy again; or, knowingly, let one release through with a reason (audited and notified): \`switchback capture ${flags} --release <id> --override-backup-readiness "<why>"\`, or \`releaseOverrides.backupReadinessReason\` on the watchdog for \`cdktf deploy\`. \`switchback status\` shows the last capture's gates; \`switchback history\` shows which check failed.`,
    '',
  ];
}

/** What AWS Backup creates when it restores a resource of this ARN. */
function createsFor(resourceArn: string): string {
  if (resourceArn.includes('${')) return 'a new resource of its type; the original is left as it is';
  const kinds: [RegExp, string][] = [
    [/:dynamodb:[^:]*:[^:]*:table\//, 'a new DynamoDB table; the original table is left as it is'],
    [/:rds:[^:]*:[^:]*:db:/, 'a new RDS DB instance; the original instance is left as it is'],
    [
      /:rds:[^:]*:[^:]*:cluster:/,
      'a new DB cluster, without instances (add them); the original cluster is left as it is',
    ],
    [/:elasticfilesystem:/, 'a new EFS file system (add mount targets); the original is left as it is'],
    [
      /:ec2:[^:]*:[^:]*:volume\//,
      'a new EBS volume, to attach in place of the original; the original is left as it is',
    ],
    [/:s3:::/, 'a new S3 bucket (latest object versions); the original bucket is left as it is'],
  ];
  return (
    kinds.find(([pattern]) => pattern.test(resourceArn))?.[1] ??
    'a resource type restore-data does not restore: restore it with AWS Backup directly'
  );
}

/** The "Deploy freeze" section. */
export function freezeSection(config: WatchdogConfig | undefined, flags: string): string[] {
  const minutes = config?.policy.freezeMinutes ?? DEFAULT_RELEASE_SAFETY.freezeMinutes;
  const lines = ['## Deploy freeze', ''];
  if (minutes === 0 && !config?.group) {
    lines.push(
      'The deploy freeze is off for this service (`policy.freezeMinutes` is 0): a new release may be captured while a rollback is unacknowledged.',
      '',
    );
    return lines;
  }
  if (minutes > 0) {
    lines.push(
      `After a rollback, the capture of a **new** release of this service is refused for ${minutes} minutes, unless the rollback is acknowledged first: a pipeline does not push the next release on top of an incident nobody has looked at. The same release id captured again is never refused.`,
      '',
    );
  }
  if (config?.group) {
    lines.push(
      `As a member of the rollback group \`${config.group.name}\`, this service is also frozen when a service it depends on rolls back and the group does not roll this one back with it; that freeze ends when the other service's rollback is acknowledged, or on its own.`,
      '',
    );
  }
  lines.push(
    '- `switchback status` shows a freeze in force: its cause, until when, and how to end it.',
    `- End it by acknowledging the rollback that caused it: \`switchback promote ${flags} --ack --release <rolled-back release> --reason "<why it is safe now>"\`.`,
    `- Or let one release through anyway, with a reason (audited and notified): \`switchback capture ${flags} --release <new id> --override-freeze "<why>"\`, or \`releaseOverrides.freezeReason\` on the watchdog for \`cdktf deploy\`.`,
    '',
  );
  return lines;
}

/** The "Rollback group" section, or nothing when the service is in no group. */
export function groupSection(service: SynthesizedService, facts: ReleaseSafetyFacts): string[] {
  const membership = service.config?.group;
  if (!membership) return [];
  const lines = ['## Rollback group', ''];
  const group = facts.group;
  if (!group) {
    lines.push(
      `${service.service} is a member of the rollback group \`${membership.name}\` (coordinator \`${membership.coordinatorFunctionArn}\`): each of its rollbacks and acknowledgements is reported to the coordinator, which rolls back or freezes the services that depend on it. The group is defined in another app: its runbook lists the members.`,
      '',
    );
    return lines;
  }
  const order = group.order === 'callers-first' ? 'callers before callees' : 'callees before callers';
  lines.push(
    `${service.service} is a member of the rollback group \`${group.group}\` (coordinator \`${membership.coordinatorFunctionArn}\`). When a member rolls back, ${
      group.onMemberRollback === 'follow'
        ? `the members that depend on it roll back too, through their own watchdogs, ${order}; if one of them may not be reverted alone, none is rolled back: they are frozen and the on-call is paged with the commands to run`
        : 'the members that depend on it are not rolled back: they are frozen and the on-call is paged with the commands to run'
    }. A failure stops the sequence and pages. One group record links the members' records.`,
    '',
    '| Member | Calls | May revert alone | Follows when |',
    '| --- | --- | --- | --- |',
    ...group.members.map((m) => {
      const causes = group.members.filter((other) =>
        followersOf(group.members, other.service, group.order).includes(m.service),
      );
      const follows =
        causes.length > 0 ? `${causes.map((c) => `\`${c.service}\``).join(' or ')} rolls back` : 'never';
      return `| \`${m.service}\`${m.service === service.service ? ' (this service)' : ''} | ${m.dependsOn.map((d) => `\`${d}\``).join(', ') || '-'} | ${m.mayRevertAlone ? 'yes' : '**no** (pages instead)'} | ${follows} |`;
    }),
    '',
  );
  const followers = followersOf(group.members, service.service, group.order);
  const blockers = group.members.filter((m) => followers.includes(m.service) && !m.mayRevertAlone);
  const list = followers.map((f) => `\`${f}\``).join(' → ');
  lines.push(
    followers.length === 0
      ? `When ${service.service} rolls back, no other member follows (none depends on it).`
      : group.onMemberRollback === 'page'
        ? `When ${service.service} rolls back, ${list} are frozen and the on-call is paged.`
        : blockers.length > 0
          ? `When ${service.service} rolls back, ${list} would follow, but ${blockers.map((b) => `\`${b.service}\``).join(', ')} may not be reverted alone: none is rolled back by the group; they are frozen and the on-call is paged.`
          : `When ${service.service} rolls back, the group rolls back, in this order: ${list}.`,
    `Acknowledging its rollback (\`switchback promote --ack\`) lifts the freezes it caused on the others. \`switchback history\` of each member shows \`group ${group.group}\` as the trigger of a rollback the group asked for.`,
    '',
  );
  return lines;
}

/** A literal in backticks, or what a Terraform variable reference stands for. */
function describeValue(value: string, noun: string): string {
  const variable = /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(value);
  return variable ? `the ${noun} in the variable \`${variable[1]}\`` : `\`${value}\``;
}
