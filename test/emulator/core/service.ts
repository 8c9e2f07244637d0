import { AwsError } from './aws-error';
import { Params, ValidationErrors } from './params';
import { Output, Protocol, ServiceName } from './types';

/** The in-process side of an emulated Lambda function: what Invoke runs. */
export type LambdaHandler = (event: unknown, context: LambdaHandlerContext) => unknown;

/** What a registered Lambda handler learns about its invocation. */
export interface LambdaHandlerContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  /**
   * How the caller invoked: `Event` is asynchronous (Lambda answered 202 and nobody waits for the
   * result), as SNS and other async sources invoke.
   */
  readonly invocationType: 'RequestResponse' | 'Event';
}

/** A message as SNS delivered it to an in-process subscriber. */
export interface SnsDelivery {
  readonly topicArn: string;
  readonly messageId: string;
  readonly message: string;
  readonly subject?: string;
  readonly messageAttributes: Readonly<
    Record<string, { readonly DataType: string; readonly StringValue?: string }>
  >;
  readonly timestamp: Date;
}

/** Links between services and the test process, shared by every operation. */
export interface Runtime {
  readonly accountId: string;
  /** Milliseconds since the epoch; injectable so tests control stale windows and token buckets. */
  readonly now: () => number;
  /** Handlers Lambda Invoke runs, by function name. */
  readonly lambdaHandlers: Map<string, LambdaHandler>;
  /** In-process SNS subscribers, by topic ARN. */
  readonly snsSubscribers: Map<string, Set<(delivery: SnsDelivery) => void>>;
  /** Publishes to an SNS topic from another service (CloudWatch alarm actions). */
  publishToTopic(topicArn: string, message: string, subject: string | undefined): void;
}

/** Everything an operation sees of its call. */
export interface CallContext {
  readonly region: string;
  readonly params: Params;
  /** The decoded input as the protocol produced it (REST query, headers, raw body included). */
  readonly input: Record<string, unknown>;
  readonly requestId: string;
  readonly runtime: Runtime;
}

/** One API operation over a service's state. */
export interface Operation<S> {
  /** `read` operations see a stale snapshot while a stale-read fault window is open. */
  readonly kind: 'read' | 'write';
  run(state: S, ctx: CallContext): Output | Promise<Output>;
}

/** A service: its wire protocol, how it words errors, its state and its operations. */
export interface ServiceDefinition<S> {
  readonly name: ServiceName;
  readonly protocol: Protocol;
  readonly errors: ValidationErrors;
  /** What AWS answers when it throttles this service. */
  throttlingError(): AwsError;
  /** What AWS answers for an injected server error without an explicit code. */
  readonly internalErrorCode: string;
  /** What AWS answers for an action the service does not have. */
  unknownAction(action: string): AwsError;
  createState(): S;
  readonly operations: Readonly<Record<string, Operation<S>>>;
}

/** Shorthand for a read operation. */
export function read<S>(run: Operation<S>['run']): Operation<S> {
  return { kind: 'read', run };
}

/** Shorthand for a write operation. */
export function write<S>(run: Operation<S>['run']): Operation<S> {
  return { kind: 'write', run };
}

/**
 * Pages a sorted list with an opaque marker (the index of the next item), as Describe and List
 * operations do with `Marker`/`NextMarker` or `NextToken`.
 */
export function paginate<T>(
  items: readonly T[],
  marker: string | undefined,
  pageSize: number,
  invalidMarker: () => AwsError,
): { page: T[]; next: string | undefined } {
  let start = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    if (!/^\d+$/.test(decoded)) throw invalidMarker();
    start = Number(decoded);
  }
  const page = items.slice(start, start + pageSize);
  const end = start + page.length;
  return { page, next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}
