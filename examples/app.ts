/**
 * The example app `cdktf synth` runs (see cdktf.json): one stack with two services, each with the
 * whole Switchback kit, and a standalone placement of a watchdog in another region than its service,
 * all under Switchback's policy checks.
 *
 *   SWITCHBACK_RELEASE_ID   the release being deployed (a commit or build id); default 'local'
 *   SWITCHBACK_EXAMPLE_SERVICES   how many services the first stack defines (default 2; the
 *                                 benchmark scales it)
 *   SWITCHBACK_CANARY_PERCENT     the candidate's share of the first stack's traffic (default 10; 0
 *                                 serves the known-good color only, as a service's first release would)
 *   SWITCHBACK_SHIFT_PERCENT      instead of a canary, shift the first stack's traffic in linear steps
 *                                 of this percentage (1-100), one per watchdog tick, then promote
 */
import { App } from 'cdktf';
import { SwitchbackChecks } from '../index';
import { ExampleStack, exampleServiceNames } from './service-stack';
import { ServiceRegionStack, WatchdogRegionStack } from './standalone-watchdog';

const count = Number(process.env.SWITCHBACK_EXAMPLE_SERVICES ?? '2');
if (!Number.isInteger(count) || count < 1 || count > 500) {
  throw new Error(
    `SWITCHBACK_EXAMPLE_SERVICES must be an integer from 1 to 500, got '${process.env.SWITCHBACK_EXAMPLE_SERVICES}'.`,
  );
}
const releaseId = process.env.SWITCHBACK_RELEASE_ID ?? 'local';
const canaryWeightPercent = Number(process.env.SWITCHBACK_CANARY_PERCENT ?? '10');
if (!Number.isInteger(canaryWeightPercent) || canaryWeightPercent < 0 || canaryWeightPercent > 100) {
  throw new Error(
    `SWITCHBACK_CANARY_PERCENT must be an integer from 0 to 100, got '${process.env.SWITCHBACK_CANARY_PERCENT}'.`,
  );
}

const shiftVariable = process.env.SWITCHBACK_SHIFT_PERCENT;
const shiftStepPercent =
  shiftVariable === undefined || shiftVariable === '' ? undefined : Number(shiftVariable);
if (
  shiftStepPercent !== undefined &&
  (!Number.isInteger(shiftStepPercent) || shiftStepPercent < 1 || shiftStepPercent > 100)
) {
  throw new Error(`SWITCHBACK_SHIFT_PERCENT must be an integer from 1 to 100, got '${shiftVariable}'.`);
}

const app = new App();
new ExampleStack(app, 'switchback-example', {
  serviceNames: exampleServiceNames(count),
  releaseId,
  canaryWeightPercent,
  ...(shiftStepPercent !== undefined ? { shiftStepPercent } : {}),
});
const service = new ServiceRegionStack(app, 'payments-service', { releaseId });
new WatchdogRegionStack(app, 'payments-watchdog', service, { releaseId });
// The policy checks on every stack: an error finding fails the synth, warnings are printed.
SwitchbackChecks.applyTo(app);
app.synth();
