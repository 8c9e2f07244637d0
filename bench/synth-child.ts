/**
 * One synth, run in its own process by bench/synth.ts so that memory and module loading are measured
 * from a cold start. Arguments: `<services> <deep|barrel> <outdir> <composed|store-and-listener> [checks]`:
 * the example app (a SwitchbackService per service), or the store and listener constructs alone; with
 * `checks`, the policy checks run during synth.
 * Prints one JSON line: { resources, synthMs, maxRssMb }.
 */
import { App } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExampleStack, exampleServiceNames } from '../examples/service-stack';
import { SwitchbackChecks } from '../index';
import { StoreAndListenerStack } from './fixtures/store-and-listener-stack';

const [countArg, imports, outdir, kind, checks] = process.argv.slice(2);
if (imports === 'barrel') {
  // The same app written with barrel imports: what a user pays for `import { … } from '@cdktf/provider-aws'`.
  // The barrel is the thing measured here; the cdktn rewrite never sees bench/.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, switchback/framework-imports
  require('@cdktf/provider-aws');
}
const started = performance.now();
const app = new App({ outdir });
const serviceNames = exampleServiceNames(Number(countArg));
if (kind === 'store-and-listener') new StoreAndListenerStack(app, 'switchback-example', serviceNames);
else new ExampleStack(app, 'switchback-example', { serviceNames, releaseId: 'bench' });
if (checks === 'checks') SwitchbackChecks.applyTo(app);
app.synth();
const synthMs = performance.now() - started;

const stack = JSON.parse(
  readFileSync(join(outdir, 'stacks', 'switchback-example', 'cdk.tf.json'), 'utf8'),
) as {
  resource: Record<string, Record<string, unknown>>;
};
const resources = Object.values(stack.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
process.stdout.write(
  `${JSON.stringify({ resources, synthMs, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
