/** Who is at fault, as AWS Query error shapes say it (`<Type>Sender</Type>`). */
export type FaultSide = 'Sender' | 'Receiver';

/** Optional parts of an AWS error beyond its code and message. */
export interface AwsErrorOptions {
  /** HTTP status; 400 unless the service models another. */
  readonly status?: number;
  /** `Sender` (client fault, the default below 500) or `Receiver` (server fault). */
  readonly side?: FaultSide;
  /** Extra fields rendered next to Code/Message (S3 `<Key>`, Lambda `Reason`, ...). */
  readonly fields?: Readonly<Record<string, string>>;
  /** Extra response headers (S3 `x-amz-delete-marker`, ...). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An error the emulator answers with, in the service's own wire shape. The `code` is the string
 * AWS puts on the wire (`ListenerNotFound`, `ParameterNotFound`, `NoSuchKey`); the SDK maps it to
 * its named exception class.
 */
export class AwsError extends Error {
  readonly status: number;
  readonly side: FaultSide;
  readonly fields: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: string,
    message: string,
    options: AwsErrorOptions = {},
  ) {
    super(message);
    this.name = 'AwsError';
    this.status = options.status ?? 400;
    this.side = options.side ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

/** The `1 validation error detected: ...` message AWS's Coral front end writes. */
export function nullMemberMessage(member: string): string {
  return `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`;
}

/** The `1 validation error detected: ...` message for a value that breaks a constraint. */
export function constraintMessage(value: string, member: string, constraint: string): string {
  return `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`;
}

/** lowerCamelCase of a member name, as AWS writes it in validation messages. */
export function memberPath(name: string): string {
  return name
    .split('.')
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join('.');
}
