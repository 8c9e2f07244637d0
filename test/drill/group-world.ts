/**
 * A rollback group on one control plane, as a RollbackGroup deploys it: its members (each a service
 * world: its own load balancer, alarms, store and watchdog function, with `group` in its watchdog
 * configuration), the group's store holding the coordinator's configuration, the group's notification
 * topic, and the coordinator function: the same watchdog bundle, handler `index.groupHandler`,
 * configured only by `SWITCHBACK_GROUP_CONFIG_BUCKET` / `SWITCHBACK_GROUP_CONFIG_KEY`, running with its
 * own credentials (its role's), registered in the emulator's Lambda. So a member's asynchronous Invoke
 * of the coordinator's ARN reaches the coordinator's container, and the coordinator's synchronous
 * Invokes of the members' ARNs reach theirs, all through the Lambda API.
 */
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  groupConfigKey,
  groupConfigSchema,
  groupRecordPrefix,
  groupRecordSchema,
  type GroupConfigInput,
  type GroupRecord,
  type GroupRollbackOrder,
} from '../../lib';
import {
  buildServiceWorld,
  functionEnvironment,
  runtimeVariables,
  watchdogFunctionName,
  type FunctionCredentials,
  type ReleaseSafetyConfig,
  type ServiceWorld,
  type ServiceWorldOptions,
} from './service-world';
import { WatchdogFunction } from './watchdog-function';
import type { Notification } from './world';

/** One member of the drill's group. */
export interface GroupMemberSpec {
  readonly service: string;
  /** The services it calls. @default none */
  readonly dependsOn?: readonly string[];
  /** @default true */
  readonly mayRevertAlone?: boolean;
}

/** Options of {@link buildGroupWorld}. */
export interface GroupWorldOptions extends Omit<ServiceWorldOptions, 'service' | 'listenerPort' | 'config'> {
  readonly group: string;
  readonly members: readonly GroupMemberSpec[];
  readonly order: GroupRollbackOrder;
  readonly onMemberRollback: 'follow' | 'page';
  /** The coordinator's own credentials (its role's): what it signs its caller proofs with. */
  readonly coordinatorCredentials: FunctionCredentials;
  /** The release-safety parts of every member's watchdog configuration, besides `group`. */
  readonly memberConfig?: Omit<ReleaseSafetyConfig, 'group'>;
}

/** A group, its members and its coordinator. */
export interface GroupWorld {
  readonly group: string;
  readonly bucket: string;
  readonly coordinatorName: string;
  readonly coordinatorArn: string;
  readonly coordinator: WatchdogFunction;
  /** The members, in declaration order. */
  readonly members: readonly ServiceWorld[];
  /** The group's decisions in its store, oldest first. */
  groupRecords(): Promise<GroupRecord[]>;
  /** Notifications the group's topic delivered, oldest first. */
  notificationMessages(): readonly Notification[];
  close(): Promise<void>;
}

/** The coordinator function's name of a group. */
export const coordinatorFunctionName = (group: string) => `switchback-${group}-coordinator`;

/**
 * What Lambda does with the handler setting `index.groupHandler`: load the bundle and call that export.
 * The drill's container calls `handler`, so a two-line module stands for the setting.
 */
function groupHandlerEntry(bundlePath: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchback-drill-coordinator-'));
  const path = join(dir, 'index.js');
  writeFileSync(
    path,
    `'use strict';
// Lambda's handler setting index.groupHandler: the bundle's groupHandler export.
const bundle = require(${JSON.stringify(bundlePath)});
if (typeof bundle.groupHandler !== 'function') throw new Error('the watchdog bundle has no groupHandler export');
exports.handler = bundle.groupHandler;
`,
  );
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the members, the group's store and topic, and starts the coordinator (a cold start). */
export async function buildGroupWorld(options: GroupWorldOptions): Promise<GroupWorld> {
  const { plane, group } = options;
  const config = plane.clientConfig();
  const s3 = new S3Client(plane.s3ClientConfig());
  const sns = new SNSClient(config);
  const lambda = new LambdaClient(config);
  const closers: Array<() => Promise<void> | void> = [() => [s3, sns, lambda].forEach((c) => c.destroy())];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  try {
    const bucket = `${group}-group-drill`;
    const coordinatorName = coordinatorFunctionName(group);
    const arnOf = (name: string) => `arn:aws:lambda:${config.region}:${plane.accountId}:function:${name}`;
    const coordinatorArn = arnOf(coordinatorName);

    // The members first, each told of the coordinator (its ARN is known before it exists, as in Terraform).
    const members: ServiceWorld[] = [];
    for (const [index, member] of options.members.entries()) {
      const world = await buildServiceWorld({
        ...options,
        service: member.service,
        listenerPort: 8081 + index,
        config: { ...options.memberConfig, group: { name: group, coordinatorFunctionArn: coordinatorArn } },
      });
      members.push(world);
      closers.push(() => world.close());
    }

    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: `switchback-${group}-group` })))
      .TopicArn as string;
    const groupConfig: GroupConfigInput = {
      schemaVersion: 1,
      group,
      order: options.order,
      onMemberRollback: options.onMemberRollback,
      members: options.members.map((m) => ({
        service: m.service,
        watchdogFunctionArn: arnOf(watchdogFunctionName(m.service)),
        dependsOn: [...(m.dependsOn ?? [])],
        mayRevertAlone: m.mayRevertAlone ?? true,
      })),
      store: { bucket },
      notificationTopicArn: topicArn,
    };
    // The same schema the construct writes it with and the coordinator reads it with.
    groupConfigSchema().parse(groupConfig);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: groupConfigKey(group),
        Body: JSON.stringify(groupConfig),
      }),
    );

    const environment = functionEnvironment(
      plane,
      { SWITCHBACK_GROUP_CONFIG_BUCKET: bucket, SWITCHBACK_GROUP_CONFIG_KEY: groupConfigKey(group) },
      options.coordinatorCredentials,
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: coordinatorName,
        Runtime: 'nodejs22.x',
        Handler: 'index.groupHandler',
        Role: await plane.functionRole(coordinatorName),
        Code: { ZipFile: readFileSync(options.bundlePath) },
        Timeout: options.functionTimeoutSeconds,
        Environment: { Variables: environment },
      }),
    );
    const entry = groupHandlerEntry(options.bundlePath);
    closers.push(() => entry.remove());
    const coordinator = await WatchdogFunction.start({
      environment: { ...environment, ...runtimeVariables('index.groupHandler') },
      bundlePath: entry.path,
      timeScale: options.timeScale,
      timeoutMs: options.functionTimeoutSeconds * 1000,
    });
    closers.push(() => coordinator.stop());
    plane.attachFunction(coordinatorName, coordinator);
    const notifications: Notification[] = [];
    closers.push(
      await plane.subscribe(topicArn, (delivery) =>
        notifications.push({
          at: Date.now(),
          ...(delivery.subject !== undefined ? { subject: delivery.subject } : {}),
          message: delivery.message,
        }),
      ),
    );

    return {
      group,
      bucket,
      coordinatorName,
      coordinatorArn,
      coordinator,
      members,
      async groupRecords() {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await s3.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: groupRecordPrefix(group),
              ContinuationToken: token,
            }),
          );
          keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
          token = page.NextContinuationToken;
        } while (token);
        return Promise.all(
          keys.sort().map(async (key) => {
            const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            return groupRecordSchema.parse(
              JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null'),
            );
          }),
        );
      },
      notificationMessages: () => [...notifications],
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
