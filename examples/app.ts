/**
 * The example app `cdktf synth` runs (see cdktf.json). `SWITCHBACK_EXAMPLE_SERVICES` sets how many
 * services it defines (default 1); the benchmark uses it to scale the app.
 */
import { App } from 'cdktf';
import { ExampleStack, exampleServiceNames } from './service-stack';

const count = Number(process.env.SWITCHBACK_EXAMPLE_SERVICES ?? '1');
if (!Number.isInteger(count) || count < 1 || count > 500) {
  throw new Error(
    `SWITCHBACK_EXAMPLE_SERVICES must be an integer from 1 to 500, got '${process.env.SWITCHBACK_EXAMPLE_SERVICES}'.`,
  );
}

const app = new App();
new ExampleStack(app, 'switchback-example', { serviceNames: exampleServiceNames(count) });
app.synth();
