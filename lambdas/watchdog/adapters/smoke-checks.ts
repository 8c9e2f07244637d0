/**
 * The smoke-check port: an HTTP GET with `fetch` (a test listener's URL), and a synchronous invoke of
 * the user's Lambda function. An answer of any status is an answer, not an error: the engine judges it.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SmokeCheckPort } from '../ports';
import { call } from './errors';

/** At most this much of a response body is read: a check matches a pattern, it does not download pages. */
const MAX_BODY_CHARS = 64 * 1024;

/** The smoke-check port over `fetch` and a Lambda client. */
export function createSmokeCheckAdapter(lambda: LambdaClient): SmokeCheckPort {
  return {
    async httpGet(url, timeoutMs) {
      try {
        // A redirect is the check's answer (a 301 where a 200 was expected is a failure), not followed.
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
        const body = (await response.text()).slice(0, MAX_BODY_CHARS);
        return { status: response.status, body };
      } catch (error) {
        return { error: describeFetchError(error, timeoutMs) };
      }
    },

    async invokeFunction(functionArn, payload, timeoutMs) {
      const out = await call('Invoke', () =>
        lambda.send(
          new InvokeCommand({
            FunctionName: functionArn,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
          { abortSignal: AbortSignal.timeout(timeoutMs) },
        ),
      );
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      return {
        ...(out.FunctionError ? { functionError: out.FunctionError } : {}),
        result: parseJson(text),
      };
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  // A timeout is a DOMException, which is not always an `Error` of this realm: look at its name.
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const why = cause instanceof Error ? cause.message : '';
    return why ? `${error.message}: ${why}` : error.message;
  }
  return String(error);
}
