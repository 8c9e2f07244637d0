import { AwsError, constraintMessage, nullMemberMessage } from '../core/aws-error';
import { ACCOUNT_ID } from '../core/ids';
import { Params, ValidationErrors } from '../core/params';
import { Operation, paginate, read, ServiceDefinition, write } from '../core/service';
import { JsonRpcProtocol } from '../protocols/json-rpc';

/** One version of a parameter, kept in the shape GetParameterHistory returns. */
export interface ParameterVersion {
  Name: string;
  Type: 'String' | 'StringList' | 'SecureString';
  Value: string;
  Version: number;
  LastModifiedDate: Date;
  LastModifiedUser: string;
  Description?: string;
  AllowedPattern?: string;
  KeyId?: string;
  Labels: string[];
  Tier: 'Standard' | 'Advanced' | 'Intelligent-Tiering';
  DataType: string;
}

export interface SsmState {
  /** Versions oldest first, by parameter name. */
  parameters: Map<string, ParameterVersion[]>;
}

const MAX_VERSIONS = 100;
const MAX_LABELS_PER_VERSION = 10;
const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, ' +
  'or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All ' +
  'sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

const validation: ValidationErrors = {
  missing: (member) => new AwsError('ValidationException', nullMemberMessage(member)),
  invalid: (message) => new AwsError('ValidationException', message),
};

const parameterNotFound = (name: string): AwsError =>
  new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
const versionNotFound = (name: string, version: string): AwsError =>
  new AwsError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
  );

function checkName(name: string): string {
  if (name.length > 2048)
    throw validation.invalid(
      constraintMessage(name, 'name', 'Member must have length less than or equal to 2048'),
    );
  const bare = name.replace(/^\//, '');
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^(aws|ssm)/i.test(bare) || name.includes('//')) {
    throw validation.invalid(NAME_RULES);
  }
  if (name.includes('/') && !name.startsWith('/'))
    throw validation.invalid('Parameter name must be a fully qualified name.');
  if (name.split('/').length - 1 > 15) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      'Parameter name hierarchy levels exceeded the maximum of 15.',
    );
  }
  return name;
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`. */
function parameterArn(region: string, name: string): string {
  return `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** A name from a name, `name:version`, `name:label` or a parameter ARN. */
function splitSelector(raw: string): { name: string; selector?: string } {
  const fromArn = /^arn:aws[a-z-]*:ssm:[^:]*:\d{12}:parameter(\/.*)$/.exec(raw);
  const text = fromArn ? fromArn[1] : raw;
  const colon = text.indexOf(':');
  return colon < 0 ? { name: text } : { name: text.slice(0, colon), selector: text.slice(colon + 1) };
}

function versionsOf(state: SsmState, raw: string): { name: string; versions: ParameterVersion[] } {
  const { name } = splitSelector(raw);
  const versions =
    state.parameters.get(name) ??
    (raw.startsWith('arn:') ? state.parameters.get(name.replace(/^\//, '')) : undefined);
  if (!versions) throw parameterNotFound(name);
  return { name: versions[0].Name, versions };
}

function select(state: SsmState, raw: string): { version: ParameterVersion; selector?: string } {
  const { selector } = splitSelector(raw);
  const { name, versions } = versionsOf(state, raw);
  if (selector === undefined || selector === '') return { version: versions[versions.length - 1] };
  if (/^\d+$/.test(selector)) {
    const version = versions.find((v) => v.Version === Number(selector));
    if (!version) throw versionNotFound(name, selector);
    return { version, selector: `:${selector}` };
  }
  const version = versions.find((v) => v.Labels.includes(selector));
  if (!version) throw versionNotFound(name, selector);
  return { version, selector: `:${selector}` };
}

/** What a read returns as Value: SecureStrings stay opaque unless WithDecryption. */
function shownValue(v: ParameterVersion, decrypt: boolean): string {
  return v.Type === 'SecureString' && !decrypt
    ? Buffer.from(`emulated-kms:${v.KeyId}:${v.Value}`).toString('base64')
    : v.Value;
}

function parameterOutput(
  v: ParameterVersion,
  region: string,
  decrypt: boolean,
  selector?: string,
): Record<string, unknown> {
  return {
    Name: v.Name,
    Type: v.Type,
    Value: shownValue(v, decrypt),
    Version: v.Version,
    Selector: selector,
    LastModifiedDate: v.LastModifiedDate,
    ARN: parameterArn(region, v.Name),
    DataType: v.DataType,
  };
}

function historyOutput(v: ParameterVersion, decrypt: boolean): Record<string, unknown> {
  return { ...structuredClone(v), Value: shownValue(v, decrypt), Policies: [] };
}

function invalidLabel(label: string): boolean {
  return (
    label.length < 1 ||
    label.length > 100 ||
    /^(aws|ssm)/i.test(label) ||
    /^\d/.test(label) ||
    !/^[a-zA-Z0-9_.-]+$/.test(label)
  );
}

function readLabels(p: Params): string[] {
  const labels = p.strList('Labels');
  if (!labels || labels.length === 0) throw validation.missing('labels');
  if (labels.length > MAX_LABELS_PER_VERSION) {
    throw validation.invalid(
      constraintMessage(String(labels.length), 'labels', 'Member must have length less than or equal to 10'),
    );
  }
  return labels;
}

function versionForLabels(p: Params, name: string, versions: ParameterVersion[]): ParameterVersion {
  const wanted = p.int('ParameterVersion');
  if (wanted === undefined) return versions[versions.length - 1];
  const version = versions.find((v) => v.Version === wanted);
  if (!version) throw versionNotFound(name, String(wanted));
  return version;
}

const operations: Record<string, Operation<SsmState>> = {
  PutParameter: write((state, { params: p, runtime }) => {
    const name = checkName(p.reqStr('Name'));
    const value = p.reqStr('Value');
    const overwrite = p.bool('Overwrite') ?? false;
    const type = p.enumStr('Type', ['String', 'StringList', 'SecureString'] as const);
    const tier = p.enumStr('Tier', ['Standard', 'Advanced', 'Intelligent-Tiering'] as const) ?? 'Standard';
    const pattern = p.str('AllowedPattern');
    if (tier === 'Standard' && value.length > 4096) {
      throw validation.invalid(
        'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.',
      );
    }
    if (overwrite && (p.list('Tags')?.length ?? 0) > 0) {
      throw validation.invalid(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    if (pattern !== undefined && !new RegExp(pattern).test(value)) {
      throw new AwsError(
        'ParameterPatternMismatchException',
        `Parameter value, ${value}, failed to satisfy constraint specified by Allowed Pattern: ${pattern}`,
      );
    }
    const versions = state.parameters.get(name);
    if (versions && !overwrite) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const latest = versions?.[versions.length - 1];
    const resolvedType = type ?? latest?.Type;
    if (!resolvedType) throw validation.invalid('A parameter type is required when you create a parameter.');
    if (versions && versions.length >= MAX_VERSIONS) {
      if (versions[0].Labels.length > 0) {
        throw new AwsError(
          'ParameterMaxVersionLimitExceeded',
          `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${versions[0].Version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
        );
      }
      versions.shift();
    }
    const next: ParameterVersion = {
      Name: name,
      Type: resolvedType,
      Value: value,
      Version: (latest?.Version ?? 0) + 1,
      LastModifiedDate: new Date(runtime.now()),
      LastModifiedUser: `arn:aws:iam::${ACCOUNT_ID}:user/emulator`,
      Description: p.str('Description') ?? latest?.Description,
      AllowedPattern: pattern ?? latest?.AllowedPattern,
      KeyId:
        resolvedType === 'SecureString' ? (p.str('KeyId') ?? latest?.KeyId ?? 'alias/aws/ssm') : undefined,
      Labels: [],
      Tier: tier,
      DataType: p.str('DataType') ?? latest?.DataType ?? 'text',
    };
    if (versions) versions.push(next);
    else state.parameters.set(name, [next]);
    return { Version: next.Version, Tier: next.Tier };
  }),

  GetParameter: read((state, { params: p, region }) => {
    const { version, selector } = select(state, p.reqStr('Name'));
    return { Parameter: parameterOutput(version, region, p.bool('WithDecryption') ?? false, selector) };
  }),

  GetParameters: read((state, { params: p, region }) => {
    const names = p.strList('Names');
    if (!names || names.length === 0) throw validation.missing('names');
    const found: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    for (const raw of names) {
      try {
        const { version, selector } = select(state, raw);
        found.push(parameterOutput(version, region, p.bool('WithDecryption') ?? false, selector));
      } catch (e) {
        if (!(e instanceof AwsError) || !['ParameterNotFound', 'ParameterVersionNotFound'].includes(e.code))
          throw e;
        invalid.push(raw);
      }
    }
    return { Parameters: found, InvalidParameters: invalid };
  }),

  GetParametersByPath: read((state, { params: p, region }) => {
    const path = p.reqStr('Path');
    if (!path.startsWith('/'))
      throw validation.invalid('The parameter path must begin with a forward slash (/).');
    const recursive = p.bool('Recursive') ?? false;
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const matches = [...state.parameters.keys()]
      .filter((name) => name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/')))
      .sort()
      .map((name) => (state.parameters.get(name) as ParameterVersion[]).at(-1) as ParameterVersion);
    const { page, next } = paginate(
      matches,
      p.str('NextToken'),
      p.int('MaxResults') ?? 10,
      () => new AwsError('InvalidNextToken', 'The specified token is not valid.'),
    );
    return {
      Parameters: page.map((v) => parameterOutput(v, region, p.bool('WithDecryption') ?? false)),
      NextToken: next,
    };
  }),

  GetParameterHistory: read((state, { params: p }) => {
    const { versions } = versionsOf(state, p.reqStr('Name'));
    const max = p.int('MaxResults') ?? 50;
    if (max < 1 || max > 50)
      throw validation.invalid(
        constraintMessage(String(max), 'maxResults', 'Member must have value less than or equal to 50'),
      );
    const { page, next } = paginate(
      versions,
      p.str('NextToken'),
      max,
      () => new AwsError('InvalidNextToken', 'The specified token is not valid.'),
    );
    return {
      Parameters: page.map((v) => historyOutput(v, p.bool('WithDecryption') ?? false)),
      NextToken: next,
    };
  }),

  LabelParameterVersion: write((state, { params: p }) => {
    const { name, versions } = versionsOf(state, p.reqStr('Name'));
    const target = versionForLabels(p, name, versions);
    const labels = readLabels(p);
    const invalid = labels.filter(invalidLabel);
    const valid = labels.filter((l) => !invalidLabel(l));
    const after = new Set([...target.Labels, ...valid]);
    if (after.size > MAX_LABELS_PER_VERSION) {
      throw new AwsError(
        'ParameterVersionLabelLimitExceeded',
        'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
      );
    }
    for (const v of versions) if (v !== target) v.Labels = v.Labels.filter((l) => !valid.includes(l));
    target.Labels = [...after];
    return { InvalidLabels: invalid, ParameterVersion: target.Version };
  }),

  UnlabelParameterVersion: write((state, { params: p }) => {
    const { name, versions } = versionsOf(state, p.reqStr('Name'));
    p.reqInt('ParameterVersion');
    const target = versionForLabels(p, name, versions);
    const labels = readLabels(p);
    const removed = labels.filter((l) => target.Labels.includes(l));
    target.Labels = target.Labels.filter((l) => !labels.includes(l));
    return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) };
  }),

  DeleteParameter: write((state, { params: p }) => {
    const { name } = versionsOf(state, p.reqStr('Name'));
    state.parameters.delete(name);
    return {};
  }),
};

/** SSM Parameter Store: AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`. */
export const ssmService: ServiceDefinition<SsmState> = {
  name: 'ssm',
  protocol: new JsonRpcProtocol({ targetPrefix: 'AmazonSSM', jsonVersion: '1.1', queryCompatible: false }),
  errors: validation,
  throttlingError: () => new AwsError('ThrottlingException', 'Rate exceeded', { status: 400 }),
  internalErrorCode: 'InternalServerError',
  unknownAction: (action) => new AwsError('UnknownOperationException', `Unknown operation ${action}`),
  createState: () => ({ parameters: new Map() }),
  operations,
};

/** In-process access to Parameter Store for tests and drills. Everything returned is a copy. */
export class SsmInspector {
  constructor(private readonly state: () => SsmState) {}

  /** Names of every parameter. */
  names(): string[] {
    return [...this.state().parameters.keys()];
  }

  /** The latest version of a parameter, or undefined. */
  parameter(name: string): ParameterVersion | undefined {
    return structuredClone(this.state().parameters.get(name)?.at(-1));
  }

  /** Every stored version of a parameter, oldest first. */
  history(name: string): ParameterVersion[] {
    return structuredClone(this.state().parameters.get(name) ?? []);
  }
}
