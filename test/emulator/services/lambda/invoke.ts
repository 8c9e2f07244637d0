import { AwsError, constraintMessage } from '../../core/aws-error';
import { LambdaHandler, Operation, read } from '../../core/service';
import { RestOutput } from '../../core/types';
import { BODY, HEADERS } from '../../protocols/rest-json';
import {
  AliasConfiguration,
  configFor,
  FunctionConfiguration,
  functionArn,
  getFunction,
  LambdaState,
  MAX_PAYLOAD_BYTES,
  validation,
} from './model';

type HandlerResult = { ok: true; value: unknown } | { ok: false; error: Record<string, unknown> };

/** Picks the version an alias sends this invocation to, by its routing weights. */
function pickVersion(alias: AliasConfiguration | undefined, config: FunctionConfiguration): string {
  const extra = alias?.RoutingConfig && Object.entries(alias.RoutingConfig.AdditionalVersionWeights)[0];
  if (extra && Math.random() < extra[1]) return extra[0];
  return config.Version;
}

/** Runs a handler with the function's timeout; errors become Lambda's `{ errorType, errorMessage }`. */
async function runHandler(
  handler: LambdaHandler,
  event: unknown,
  context: Parameters<LambdaHandler>[1],
  timeoutSeconds: number,
): Promise<HandlerResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
    if (result === 'timeout') {
      return {
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        },
      };
    }
    return { ok: true, value: result };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return {
      ok: false,
      error: { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Invoke, which runs the registered in-process handler. */
export const invokeOperations: Record<string, Operation<LambdaState>> = {
  Invoke: read(async (state, ctx) => {
    const { fn, qualifier } = getFunction(state, ctx);
    const config = configFor(fn, qualifier, ctx.region);
    const headers = ctx.input[HEADERS] as Record<string, string | undefined>;
    const body = ctx.input[BODY] as Buffer;
    const type = headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw validation.invalid(
        constraintMessage(
          type,
          'invocationType',
          'Member must satisfy enum value set: [Event, RequestResponse, DryRun]',
        ),
      );
    }
    if (body.length > MAX_PAYLOAD_BYTES) {
      throw new AwsError(
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        { status: 413 },
      );
    }
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw new AwsError(
          'InvalidRequestContentException',
          `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
        );
      }
    }
    if (type === 'DryRun') return new RestOutput({ status: 204 });
    const alias = qualifier === undefined ? undefined : fn.aliases.get(qualifier);
    const version = pickVersion(alias, config);
    const name = fn.latest.FunctionName;
    const handler =
      ctx.runtime.lambdaHandlers.get(`${name}:${version}`) ??
      (qualifier ? ctx.runtime.lambdaHandlers.get(`${name}:${qualifier}`) : undefined) ??
      ctx.runtime.lambdaHandlers.get(name);
    const context = {
      functionName: name,
      functionVersion: version,
      invokedFunctionArn: functionArn(ctx.region, name, qualifier),
      awsRequestId: ctx.requestId,
      invocationType: type as 'RequestResponse' | 'Event',
    };
    const timeout = configFor(fn, version, ctx.region).Timeout;
    const run = async (): Promise<HandlerResult> =>
      handler
        ? runHandler(handler, event, context, timeout)
        : {
            ok: false,
            error: {
              errorType: 'Runtime.HandlerNotFound',
              errorMessage: `No in-process handler is registered for ${name}; call emulator.lambda.registerHandler('${name}', fn)`,
            },
          };
    if (type === 'Event') {
      void run();
      return new RestOutput({ status: 202 });
    }
    const result = await run();
    const out: Record<string, string> = { 'x-amz-executed-version': version };
    if (!result.ok) out['x-amz-function-error'] = 'Unhandled';
    if (headers['x-amz-log-type'] === 'Tail') {
      const log = `START RequestId: ${ctx.requestId} Version: ${version}\nEND RequestId: ${ctx.requestId}\n`;
      out['x-amz-log-result'] = Buffer.from(log).toString('base64');
    }
    const payload = JSON.stringify(
      result.ok ? (result.value === undefined ? null : result.value) : result.error,
    );
    return new RestOutput({ status: 200, headers: out, raw: payload, contentType: 'application/json' });
  }),
};
