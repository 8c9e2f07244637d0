import { AwsError } from '../../core/aws-error';
import { LambdaHandler, Runtime, ServiceDefinition } from '../../core/service';
import { RestJsonProtocol, Route } from '../../protocols/rest-json';
import { aliasOperations } from './aliases';
import { functionOperations } from './functions';
import { invokeOperations } from './invoke';
import { AliasConfiguration, FunctionConfiguration, LambdaState, publicConfig, validation } from './model';

export type { AliasConfiguration, FunctionConfiguration, LambdaState } from './model';

const F = '/2015-03-31/functions';
const routes: Route[] = [
  { method: 'POST', path: F, action: 'CreateFunction' },
  { method: 'GET', path: F, action: 'ListFunctions' },
  { method: 'GET', path: `${F}/{FunctionName}`, action: 'GetFunction' },
  { method: 'DELETE', path: `${F}/{FunctionName}`, action: 'DeleteFunction' },
  { method: 'GET', path: `${F}/{FunctionName}/configuration`, action: 'GetFunctionConfiguration' },
  { method: 'PUT', path: `${F}/{FunctionName}/configuration`, action: 'UpdateFunctionConfiguration' },
  { method: 'PUT', path: `${F}/{FunctionName}/code`, action: 'UpdateFunctionCode' },
  { method: 'POST', path: `${F}/{FunctionName}/versions`, action: 'PublishVersion' },
  { method: 'GET', path: `${F}/{FunctionName}/versions`, action: 'ListVersionsByFunction' },
  { method: 'POST', path: `${F}/{FunctionName}/aliases`, action: 'CreateAlias' },
  { method: 'GET', path: `${F}/{FunctionName}/aliases`, action: 'ListAliases' },
  { method: 'GET', path: `${F}/{FunctionName}/aliases/{Name}`, action: 'GetAlias' },
  { method: 'PUT', path: `${F}/{FunctionName}/aliases/{Name}`, action: 'UpdateAlias' },
  { method: 'DELETE', path: `${F}/{FunctionName}/aliases/{Name}`, action: 'DeleteAlias' },
  { method: 'POST', path: `${F}/{FunctionName}/invocations`, action: 'Invoke' },
];

/** Lambda: AWS REST-JSON, API version 2015-03-31. */
export const lambdaService: ServiceDefinition<LambdaState> = {
  name: 'lambda',
  protocol: new RestJsonProtocol({
    routes,
    rawBodyActions: ['Invoke'],
    badJson: () => new AwsError('InvalidRequestContentException', 'Could not parse request body into json'),
    noRoute: (req) =>
      new AwsError('UnknownOperationException', `No Lambda operation for ${req.method} ${req.path}`, {
        status: 404,
      }),
  }),
  errors: validation,
  throttlingError: () =>
    new AwsError('TooManyRequestsException', 'Rate exceeded', {
      status: 429,
      fields: { Reason: 'CallerRateLimitExceeded' },
    }),
  internalErrorCode: 'ServiceException',
  unknownAction: (action) =>
    new AwsError('UnknownOperationException', `Unknown operation ${action}`, { status: 404 }),
  createState: () => ({ functions: new Map() }),
  operations: { ...functionOperations, ...aliasOperations, ...invokeOperations },
};

/** In-process access to Lambda for tests and drills. */
export class LambdaInspector {
  constructor(
    private readonly state: () => LambdaState,
    private readonly runtime: Runtime,
  ) {}

  /**
   * Registers what Invoke runs for a function: by name, or for one version or alias with
   * `name:qualifier` (the most specific registration wins). Returns a function that unregisters.
   */
  registerHandler(functionName: string, handler: LambdaHandler): () => void {
    this.runtime.lambdaHandlers.set(functionName, handler);
    return () => {
      if (this.runtime.lambdaHandlers.get(functionName) === handler)
        this.runtime.lambdaHandlers.delete(functionName);
    };
  }

  functionNames(): string[] {
    return [...this.state().functions.keys()];
  }

  /** $LATEST's configuration, or undefined. */
  configuration(functionName: string): FunctionConfiguration | undefined {
    const fn = this.state().functions.get(functionName);
    return fn && publicConfig(fn.latest);
  }

  /** Published versions, oldest first. */
  versions(functionName: string): FunctionConfiguration[] {
    return (this.state().functions.get(functionName)?.versions ?? []).map(publicConfig);
  }

  alias(functionName: string, aliasName: string): AliasConfiguration | undefined {
    return structuredClone(this.state().functions.get(functionName)?.aliases.get(aliasName));
  }
}
