import { randomBytes, randomUUID } from 'node:crypto';

/** The account every emulated resource belongs to. */
export const ACCOUNT_ID = '123456789012';

/** `n` lowercase hex characters, like the ids in ELBv2 ARNs. */
export function hex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

/** A request id as AWS returns it (a UUID). */
export function requestId(): string {
  return randomUUID();
}

/** An opaque S3 version id: 32 URL-safe characters, never the string `null`. */
export function s3VersionId(): string {
  return randomBytes(24).toString('base64url');
}

/** `n` decimal digits. */
export function digits(n: number): string {
  let out = '';
  for (const byte of randomBytes(n)) out += String(byte % 10);
  return out;
}
