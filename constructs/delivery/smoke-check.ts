/**
 * Smoke checks (hooks): an HTTP request or a user's Lambda function that must pass before production
 * traffic moves, after each shift step, or after a rollback. A class with static factories, so
 * every jsii language builds them the same way.
 */

/** What a smoke check runs. */
export enum SmokeCheckKind {
  /** An HTTP(S) GET with an expected status and, optionally, a body pattern. */
  HTTP = 'http',
  /** A Lambda function invoked synchronously. */
  LAMBDA = 'lambda',
}

/** An HTTP smoke check. */
export interface HttpSmokeCheckOptions {
  /**
   * The URL to GET. Before traffic moves and after each step, point it at the test listener, which
   * always forwards to the candidate; for verification after a rollback, at the production listener.
   */
  readonly url: string;
  /**
   * The HTTP status the check expects, 100-599.
   * @default 200
   */
  readonly expectedStatus?: number;
  /**
   * A regular expression (JavaScript syntax) the response body must match.
   * @default - the body is not checked
   */
  readonly bodyPattern?: string;
  /**
   * How long the request may take, in milliseconds, 100-10000 (a check holds the service's lock).
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/** A smoke check run by a Lambda function of yours. */
export interface LambdaSmokeCheckOptions {
  /**
   * The function's unqualified ARN. It is invoked synchronously with `{ releaseId, service, stage }`
   * and passes when it returns without a function error and its result is not `{ "passed": false }`.
   * The watchdog may invoke this function, and only it.
   */
  readonly functionArn: string;
  /**
   * How long the invocation may take, in milliseconds, 100-10000 (a check holds the service's lock).
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/** A smoke check: the watchdog runs it and stops or rolls back the release when it fails. */
export class SmokeCheck {
  /** A GET of `url` that must answer `expectedStatus` (and match `bodyPattern`) within `timeoutMs`. */
  public static http(options: HttpSmokeCheckOptions): SmokeCheck {
    return new SmokeCheck(SmokeCheckKind.HTTP, options.url, {
      expectedStatus: options.expectedStatus,
      bodyPattern: options.bodyPattern,
      timeoutMs: options.timeoutMs,
    });
  }

  /** A synchronous invocation of your function, like CodeDeploy's lifecycle hooks. */
  public static lambda(options: LambdaSmokeCheckOptions): SmokeCheck {
    return new SmokeCheck(SmokeCheckKind.LAMBDA, options.functionArn, { timeoutMs: options.timeoutMs });
  }

  /** What the check runs. */
  public readonly kind: SmokeCheckKind;
  /** The URL (HTTP checks) or the function's ARN (Lambda checks). */
  public readonly target: string;
  /** The expected HTTP status (HTTP checks), when given. */
  public readonly expectedStatus?: number;
  /** The pattern the body must match (HTTP checks), when given. */
  public readonly bodyPattern?: string;
  /** The time limit in milliseconds, when given. */
  public readonly timeoutMs?: number;

  private constructor(
    kind: SmokeCheckKind,
    target: string,
    options: { expectedStatus?: number; bodyPattern?: string; timeoutMs?: number },
  ) {
    this.kind = kind;
    this.target = target;
    this.expectedStatus = options.expectedStatus;
    this.bodyPattern = options.bodyPattern;
    this.timeoutMs = options.timeoutMs;
  }
}
