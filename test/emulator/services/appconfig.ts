/**
 * AWS AppConfig (REST-JSON): applications, environments, configuration profiles, hosted
 * configuration versions, deployment strategies (with the predefined `AppConfig.*` ones), and
 * deployments whose state follows the emulator's clock as AppConfig's follows time: DEPLOYING for the
 * strategy's duration, BAKING for its final bake time, then COMPLETE. One deployment in progress per
 * environment (ConflictException otherwise); StopDeployment rolls an in-progress deployment back
 * (ROLLED_BACK), or reverts a completed one when asked to (REVERTED).
 */
import { AwsError } from '../core/aws-error';
import { Params, ValidationErrors } from '../core/params';
import { Operation, paginate, read, ServiceDefinition, write } from '../core/service';
import { RestOutput } from '../core/types';
import { BODY, HEADERS, QUERY, RestJsonProtocol, Route } from '../protocols/rest-json';

/** AppConfig's deployment states. */
export type DeploymentState =
  'DEPLOYING' | 'BAKING' | 'VALIDATING' | 'COMPLETE' | 'ROLLING_BACK' | 'ROLLED_BACK' | 'REVERTED';

export interface DeploymentStrategy {
  Id: string;
  Name: string;
  DeploymentDurationInMinutes: number;
  GrowthType: 'LINEAR' | 'EXPONENTIAL';
  GrowthFactor: number;
  FinalBakeTimeInMinutes: number;
  ReplicateTo: 'NONE' | 'SSM_DOCUMENT';
}

/** A deployment as the emulator keeps it; its state is derived from the clock until it is stopped. */
export interface AppConfigDeploymentRecord {
  ApplicationId: string;
  EnvironmentId: string;
  DeploymentStrategyId: string;
  ConfigurationProfileId: string;
  DeploymentNumber: number;
  ConfigurationName: string;
  ConfigurationLocationUri: string;
  ConfigurationVersion: string;
  Description?: string;
  strategy: DeploymentStrategy;
  startedAt: number;
  /** Set by StopDeployment: the state it ended in, and when. */
  stopped?: { state: 'ROLLED_BACK' | 'REVERTED'; at: number };
}

interface Profile {
  Id: string;
  Name: string;
  LocationUri: string;
  Type: string;
  versions: { VersionNumber: number; Content: Buffer; ContentType: string; Description?: string }[];
}

interface Application {
  Id: string;
  Name: string;
  Description?: string;
  environments: Map<string, { Id: string; Name: string; deployments: AppConfigDeploymentRecord[] }>;
  profiles: Map<string, Profile>;
}

export interface AppConfigState {
  applications: Map<string, Application>;
  strategies: Map<string, DeploymentStrategy>;
  nextId: number;
}

/** AppConfig's predefined strategies (durations and bake times as AWS documents them). */
const PREDEFINED: readonly DeploymentStrategy[] = [
  strategy('AppConfig.AllAtOnce', 0, 'LINEAR', 100, 10),
  strategy('AppConfig.Linear50PercentEvery30Seconds', 1, 'LINEAR', 50, 1),
  strategy('AppConfig.Linear20PercentEvery6Minutes', 30, 'LINEAR', 20, 30),
  strategy('AppConfig.Canary10Percent20Minutes', 20, 'EXPONENTIAL', 10, 10),
];

function strategy(
  id: string,
  duration: number,
  growthType: DeploymentStrategy['GrowthType'],
  growthFactor: number,
  bake: number,
): DeploymentStrategy {
  return {
    Id: id,
    Name: id,
    DeploymentDurationInMinutes: duration,
    GrowthType: growthType,
    GrowthFactor: growthFactor,
    FinalBakeTimeInMinutes: bake,
    ReplicateTo: 'NONE',
  };
}

const badRequest = (message: string) => new AwsError('BadRequestException', message);
const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, { status: 404 });

const validation: ValidationErrors = {
  missing: (member) => badRequest(`${member} is required`),
  invalid: badRequest,
};

/**
 * AppConfig ids: 7 lowercase letters and digits. The counter times an odd number prime to 3 is a
 * one-to-one map modulo 36^7, so ids never repeat and do not look sequential.
 */
function newId(state: AppConfigState): string {
  state.nextId += 1;
  return ((state.nextId * 2_654_435_761) % 36 ** 7).toString(36).padStart(7, '0');
}

const MINUTE = 60_000;

/** The state a deployment is in at `now`. */
export function deploymentState(d: AppConfigDeploymentRecord, now: number): DeploymentState {
  if (d.stopped) return d.stopped.state;
  const elapsed = now - d.startedAt;
  const duration = d.strategy.DeploymentDurationInMinutes * MINUTE;
  if (elapsed < duration) return 'DEPLOYING';
  if (elapsed < duration + d.strategy.FinalBakeTimeInMinutes * MINUTE) return 'BAKING';
  return 'COMPLETE';
}

const IN_PROGRESS: ReadonlySet<DeploymentState> = new Set(['DEPLOYING', 'BAKING', 'VALIDATING']);

function percentage(d: AppConfigDeploymentRecord, now: number): number {
  const state = deploymentState(d, now);
  if (state !== 'DEPLOYING') return state === 'ROLLED_BACK' ? 0 : 100;
  const share = (now - d.startedAt) / (d.strategy.DeploymentDurationInMinutes * MINUTE);
  return Math.min(100, Math.max(d.strategy.GrowthFactor, Math.floor(share * 100)));
}

function app(state: AppConfigState, id: string): Application {
  const found = state.applications.get(id);
  if (!found) throw notFound(`Application ${id} not found`);
  return found;
}

function environment(state: AppConfigState, appId: string, envId: string) {
  const found = app(state, appId).environments.get(envId);
  if (!found) throw notFound(`Environment ${envId} of application ${appId} not found`);
  return found;
}

function profile(state: AppConfigState, appId: string, profileId: string): Profile {
  const found = app(state, appId).profiles.get(profileId);
  if (!found) throw notFound(`Configuration profile ${profileId} of application ${appId} not found`);
  return found;
}

function findStrategy(state: AppConfigState, id: string): DeploymentStrategy {
  const found = state.strategies.get(id) ?? PREDEFINED.find((s) => s.Id === id);
  if (!found) throw notFound(`Deployment strategy ${id} not found`);
  return found;
}

function durationParam(p: Params, name: string, max: number, required: boolean): number {
  const value = required ? p.reqInt(name) : (p.int(name) ?? 0);
  if (value < 0 || value > max) throw badRequest(`${name} must be between 0 and ${max}`);
  return value;
}

/** What GetDeployment, StartDeployment and StopDeployment answer. */
function deploymentView(d: AppConfigDeploymentRecord, now: number): Record<string, unknown> {
  const state = deploymentState(d, now);
  const duration = d.strategy.DeploymentDurationInMinutes + d.strategy.FinalBakeTimeInMinutes;
  return {
    ApplicationId: d.ApplicationId,
    EnvironmentId: d.EnvironmentId,
    DeploymentStrategyId: d.DeploymentStrategyId,
    ConfigurationProfileId: d.ConfigurationProfileId,
    DeploymentNumber: d.DeploymentNumber,
    ConfigurationName: d.ConfigurationName,
    ConfigurationLocationUri: d.ConfigurationLocationUri,
    ConfigurationVersion: d.ConfigurationVersion,
    Description: d.Description,
    DeploymentDurationInMinutes: d.strategy.DeploymentDurationInMinutes,
    GrowthType: d.strategy.GrowthType,
    GrowthFactor: d.strategy.GrowthFactor,
    FinalBakeTimeInMinutes: d.strategy.FinalBakeTimeInMinutes,
    State: state,
    PercentageComplete: percentage(d, now),
    StartedAt: new Date(d.startedAt),
    CompletedAt:
      d.stopped !== undefined
        ? new Date(d.stopped.at)
        : state === 'COMPLETE'
          ? new Date(d.startedAt + duration * MINUTE)
          : undefined,
  };
}

function summaryView(d: AppConfigDeploymentRecord, now: number): Record<string, unknown> {
  const view = deploymentView(d, now);
  delete view.ApplicationId;
  delete view.EnvironmentId;
  delete view.DeploymentStrategyId;
  delete view.ConfigurationLocationUri;
  delete view.Description;
  return view;
}

const created = (data: Record<string, unknown>, status = 201) => new RestOutput({ status, data });

const A = '/applications/{ApplicationId}';
const routes: Route[] = [
  { method: 'POST', path: '/applications', action: 'CreateApplication' },
  { method: 'GET', path: A, action: 'GetApplication' },
  { method: 'POST', path: `${A}/environments`, action: 'CreateEnvironment' },
  { method: 'POST', path: `${A}/configurationprofiles`, action: 'CreateConfigurationProfile' },
  {
    method: 'POST',
    path: `${A}/configurationprofiles/{ConfigurationProfileId}/hostedconfigurationversions`,
    action: 'CreateHostedConfigurationVersion',
  },
  { method: 'POST', path: '/deploymentstrategies', action: 'CreateDeploymentStrategy' },
  { method: 'POST', path: `${A}/environments/{EnvironmentId}/deployments`, action: 'StartDeployment' },
  { method: 'GET', path: `${A}/environments/{EnvironmentId}/deployments`, action: 'ListDeployments' },
  {
    method: 'GET',
    path: `${A}/environments/{EnvironmentId}/deployments/{DeploymentNumber}`,
    action: 'GetDeployment',
  },
  {
    method: 'DELETE',
    path: `${A}/environments/{EnvironmentId}/deployments/{DeploymentNumber}`,
    action: 'StopDeployment',
  },
];

function header(input: Record<string, unknown>, name: string): string | undefined {
  const headers = (input[HEADERS] ?? {}) as Record<string, string | string[] | undefined>;
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const operations: Record<string, Operation<AppConfigState>> = {
  CreateApplication: write((state, { params: p }) => {
    const application: Application = {
      Id: newId(state),
      Name: p.reqStr('Name'),
      Description: p.str('Description'),
      environments: new Map(),
      profiles: new Map(),
    };
    state.applications.set(application.Id, application);
    return created({ Id: application.Id, Name: application.Name, Description: application.Description });
  }),

  GetApplication: read((state, { params: p }) => {
    const found = app(state, p.reqStr('ApplicationId'));
    return { Id: found.Id, Name: found.Name, Description: found.Description };
  }),

  CreateEnvironment: write((state, { params: p }) => {
    const application = app(state, p.reqStr('ApplicationId'));
    const env = { Id: newId(state), Name: p.reqStr('Name'), deployments: [] };
    application.environments.set(env.Id, env);
    return created({
      ApplicationId: application.Id,
      Id: env.Id,
      Name: env.Name,
      State: 'READY_FOR_DEPLOYMENT',
      Monitors: [],
    });
  }),

  CreateConfigurationProfile: write((state, { params: p }) => {
    const application = app(state, p.reqStr('ApplicationId'));
    const locationUri = p.reqStr('LocationUri');
    const created_: Profile = {
      Id: newId(state),
      Name: p.reqStr('Name'),
      LocationUri: locationUri,
      Type: p.str('Type') ?? 'AWS.Freeform',
      versions: [],
    };
    application.profiles.set(created_.Id, created_);
    return created({
      ApplicationId: application.Id,
      Id: created_.Id,
      Name: created_.Name,
      LocationUri: created_.LocationUri,
      Type: created_.Type,
    });
  }),

  CreateHostedConfigurationVersion: write((state, { params: p, input }) => {
    const appId = p.reqStr('ApplicationId');
    const found = profile(state, appId, p.reqStr('ConfigurationProfileId'));
    if (found.LocationUri !== 'hosted')
      throw badRequest(
        `Configuration profile ${found.Id} is not hosted (LocationUri is ${found.LocationUri})`,
      );
    const contentType = header(input, 'content-type');
    if (!contentType) throw badRequest('Content-Type is required');
    const latest = header(input, 'latest-version-number');
    if (latest !== undefined && Number(latest) !== found.versions.length) {
      throw new AwsError(
        'ConflictException',
        `The latest version number is ${found.versions.length}, not ${latest}`,
        {
          status: 409,
        },
      );
    }
    const raw = input[BODY];
    const content = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw ?? ''));
    const version = {
      VersionNumber: found.versions.length + 1,
      Content: content,
      ContentType: contentType,
      Description: header(input, 'description'),
    };
    found.versions.push(version);
    return new RestOutput({
      status: 201,
      headers: {
        'application-id': appId,
        'configuration-profile-id': found.Id,
        'version-number': String(version.VersionNumber),
        ...(version.Description ? { description: version.Description } : {}),
      },
      raw: content,
      contentType,
    });
  }),

  CreateDeploymentStrategy: write((state, { params: p }) => {
    const growthType = p.str('GrowthType') ?? 'LINEAR';
    if (growthType !== 'LINEAR' && growthType !== 'EXPONENTIAL')
      throw badRequest(`GrowthType must be LINEAR or EXPONENTIAL, not ${growthType}`);
    const growthFactor = p.num('GrowthFactor');
    if (growthFactor === undefined || growthFactor < 1 || growthFactor > 100)
      throw badRequest('GrowthFactor must be between 1 and 100');
    const created_: DeploymentStrategy = {
      Id: newId(state),
      Name: p.reqStr('Name'),
      DeploymentDurationInMinutes: durationParam(p, 'DeploymentDurationInMinutes', 1440, true),
      GrowthType: growthType,
      GrowthFactor: growthFactor,
      FinalBakeTimeInMinutes: durationParam(p, 'FinalBakeTimeInMinutes', 1440, false),
      ReplicateTo: p.str('ReplicateTo') === 'SSM_DOCUMENT' ? 'SSM_DOCUMENT' : 'NONE',
    };
    state.strategies.set(created_.Id, created_);
    return created({ ...created_ });
  }),

  StartDeployment: write((state, { params: p, runtime }) => {
    const appId = p.reqStr('ApplicationId');
    const env = environment(state, appId, p.reqStr('EnvironmentId'));
    const found = profile(state, appId, p.reqStr('ConfigurationProfileId'));
    const version = p.reqStr('ConfigurationVersion');
    if (found.LocationUri === 'hosted' && !found.versions.some((v) => String(v.VersionNumber) === version)) {
      throw notFound(`Hosted configuration version ${version} of profile ${found.Id} not found`);
    }
    const strategyId = p.reqStr('DeploymentStrategyId');
    const chosen = findStrategy(state, strategyId);
    const now = runtime.now();
    const busy = env.deployments.find((d) => IN_PROGRESS.has(deploymentState(d, now)));
    if (busy) {
      throw new AwsError(
        'ConflictException',
        `Deployment ${busy.DeploymentNumber} is already in progress in environment ${env.Id}`,
        { status: 409 },
      );
    }
    const deployment: AppConfigDeploymentRecord = {
      ApplicationId: appId,
      EnvironmentId: env.Id,
      DeploymentStrategyId: strategyId,
      ConfigurationProfileId: found.Id,
      DeploymentNumber: env.deployments.length + 1,
      ConfigurationName: found.Name,
      ConfigurationLocationUri: found.LocationUri,
      ConfigurationVersion: version,
      Description: p.str('Description'),
      strategy: chosen,
      startedAt: now,
    };
    env.deployments.push(deployment);
    return created(deploymentView(deployment, now));
  }),

  GetDeployment: read((state, { params: p, runtime }) => {
    const env = environment(state, p.reqStr('ApplicationId'), p.reqStr('EnvironmentId'));
    const number = p.reqInt('DeploymentNumber');
    const found = env.deployments[number - 1];
    if (!found) throw notFound(`Deployment ${number} of environment ${env.Id} not found`);
    return deploymentView(found, runtime.now());
  }),

  ListDeployments: read((state, { params: p, input, runtime }) => {
    const env = environment(state, p.reqStr('ApplicationId'), p.reqStr('EnvironmentId'));
    const query = (input[QUERY] ?? new URLSearchParams()) as URLSearchParams;
    const maxResults = query.get('max_results') === null ? 50 : Number(query.get('max_results'));
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50)
      throw badRequest('MaxResults must be between 1 and 50');
    const newestFirst = [...env.deployments].reverse();
    const { page, next } = paginate(newestFirst, query.get('next_token') ?? undefined, maxResults, () =>
      badRequest('The next token is not valid'),
    );
    const now = runtime.now();
    return { Items: page.map((d) => summaryView(d, now)), NextToken: next };
  }),

  StopDeployment: write((state, { params: p, input, runtime }) => {
    const env = environment(state, p.reqStr('ApplicationId'), p.reqStr('EnvironmentId'));
    const number = p.reqInt('DeploymentNumber');
    const found = env.deployments[number - 1];
    if (!found) throw notFound(`Deployment ${number} of environment ${env.Id} not found`);
    const now = runtime.now();
    const current = deploymentState(found, now);
    if (IN_PROGRESS.has(current)) found.stopped = { state: 'ROLLED_BACK', at: now };
    else if (current === 'COMPLETE' && header(input, 'allow-revert') === 'true')
      found.stopped = { state: 'REVERTED', at: now };
    else throw badRequest(`Deployment ${number} is ${current}: only a deployment in progress can be stopped`);
    return created(deploymentView(found, now), 202);
  }),
};

/** AWS AppConfig: REST-JSON, signing name `appconfig`. */
export const appConfigService: ServiceDefinition<AppConfigState> = {
  name: 'appconfig',
  protocol: new RestJsonProtocol({
    routes,
    rawBodyActions: ['CreateHostedConfigurationVersion'],
    badJson: () => badRequest('The request body is not valid JSON'),
    noRoute: (req) =>
      new AwsError('ResourceNotFoundException', `No AppConfig operation for ${req.method} ${req.path}`, {
        status: 404,
      }),
    // AppConfig models its timestamps as ISO 8601 date-times.
    dates: 'iso',
  }),
  errors: validation,
  throttlingError: () => new AwsError('ThrottlingException', 'Rate exceeded', { status: 429 }),
  internalErrorCode: 'InternalServerException',
  unknownAction: (action) => badRequest(`Unknown operation ${action}`),
  createState: () => ({ applications: new Map(), strategies: new Map(), nextId: 0 }),
  operations,
};

/** In-process access to AppConfig for tests and drills. */
export class AppConfigInspector {
  constructor(
    private readonly state: () => AppConfigState,
    private readonly now: () => number,
  ) {}

  /** The environment's deployments of the profile, newest first, with their state now. */
  deployments(applicationId: string, environmentId: string, configurationProfileId?: string) {
    const env = this.state().applications.get(applicationId)?.environments.get(environmentId);
    return [...(env?.deployments ?? [])]
      .reverse()
      .filter(
        (d) => configurationProfileId === undefined || d.ConfigurationProfileId === configurationProfileId,
      )
      .map((d) => ({
        deploymentNumber: d.DeploymentNumber,
        configurationVersion: d.ConfigurationVersion,
        state: deploymentState(d, this.now()),
      }));
  }

  /** The configuration version the environment serves of the profile (delivered: COMPLETE or BAKING). */
  deployedVersion(
    applicationId: string,
    environmentId: string,
    configurationProfileId: string,
  ): string | undefined {
    return this.deployments(applicationId, environmentId, configurationProfileId).find(
      (d) => d.state === 'COMPLETE' || d.state === 'BAKING',
    )?.configurationVersion;
  }

  /** A hosted configuration version's content, as text. */
  content(applicationId: string, configurationProfileId: string, version: string): string | undefined {
    return this.state()
      .applications.get(applicationId)
      ?.profiles.get(configurationProfileId)
      ?.versions.find((v) => String(v.VersionNumber) === version)
      ?.Content.toString('utf8');
  }
}
