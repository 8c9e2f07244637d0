/**
 * The group port over Lambda: tells the rollback group's coordinator of this member's rollbacks and
 * acknowledgements with an asynchronous invoke (InvocationType `Event`: Lambda queues the report and
 * retries it; the member never waits for the group). The coordinator may live in another region: the
 * client is the one of the region its ARN names.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { MemberReport } from '../../../lib';
import { AwsCallError, type GroupPort } from '../ports';
import { call } from './errors';

/** The region a function ARN names (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export function regionOfFunctionArn(functionArn: string): string | undefined {
  const region = functionArn.split(':')[3];
  return region ? region : undefined;
}

/**
 * The group port; `lambdaIn(region)` gives the Lambda client of a region (undefined: the watchdog's
 * own), built once per region by the composition root.
 */
export function createGroupAdapter(lambdaIn: (region: string | undefined) => LambdaClient): GroupPort {
  return {
    async report(coordinatorFunctionArn: string, report: MemberReport): Promise<void> {
      const client = lambdaIn(regionOfFunctionArn(coordinatorFunctionArn));
      const out = await call('Invoke', () =>
        client.send(
          new InvokeCommand({
            FunctionName: coordinatorFunctionArn,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(report)),
          }),
        ),
      );
      // An asynchronous invoke is queued with 202; anything else did not reach the queue.
      if (out.StatusCode !== undefined && out.StatusCode !== 202) {
        throw new AwsCallError(
          'transient',
          'Invoke',
          `HTTP${out.StatusCode}`,
          `the coordinator ${coordinatorFunctionArn} did not queue the report (status ${out.StatusCode})`,
        );
      }
    },
  };
}
