/**
 * `switchback runbook` for a service with progressive delivery: the shifting plan, its smoke checks,
 * the commands to take over a shift, the kill switches and the verification of a rollback, read from
 * the synthesized watchdog configuration (no AWS call).
 */
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdogConfigLocalName } from '../../lib';
import { ExampleStack } from '../../examples/service-stack';
import { useEmulator } from '../emulator/testing';
import { cli } from './harness';

const emulator = useEmulator();

const DELIVERY = {
  shifting: {
    steps: [
      { weightPercent: 10, bakeMinutes: 5 },
      { weightPercent: 100, bakeMinutes: 10 },
    ],
    promote: true,
  },
  hooks: {
    preTraffic: [{ kind: 'http', url: 'http://test.shop.example.com:8080/health', bodyPattern: 'ok' }],
    afterEachStep: [
      { kind: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-smoke' },
    ],
  },
  verification: {
    checks: [{ kind: 'http', url: 'https://shop.example.com/health', expectedStatus: 204 }],
    alarmsOkWithinMinutes: 7,
  },
  killSwitches: {
    mode: 'before-traffic',
    switches: [
      { kind: 'ssm-parameter', name: '/checkout/new-cart', offValue: 'off' },
      {
        kind: 'appconfig',
        applicationId: 'abc1234',
        environmentId: 'env5678',
        configurationProfileId: 'prof999',
        deploymentStrategyId: 'AppConfig.AllAtOnce',
      },
    ],
  },
};

let appDir: string;
let stackPath: string;
let synthesizedStack: string;

beforeAll(() => {
  appDir = mkdtempSync(join(tmpdir(), 'switchback-cli-delivery-'));
  const app = new App({ outdir: appDir });
  new ExampleStack(app, 'switchback-example', { serviceNames: ['checkout'], releaseId: 'r1' });
  app.synth();
  stackPath = join(appDir, 'stacks', 'switchback-example', 'cdk.tf.json');
  synthesizedStack = readFileSync(stackPath, 'utf8');
});

/** The synthesized app with progressive delivery added to checkout's watchdog configuration. */
function withDelivery(delivery: Record<string, unknown>): void {
  const stack = JSON.parse(synthesizedStack);
  const local = watchdogConfigLocalName('checkout');
  stack.locals[local] = { ...stack.locals[local], ...delivery };
  writeFileSync(stackPath, JSON.stringify(stack));
}

describe('switchback runbook with progressive delivery', () => {
  it('describes the plan, the hooks, how to take over a shift, the kill switches and the verification', async () => {
    withDelivery(DELIVERY);

    const result = await cli(emulator(), ['runbook', '--app', appDir, '--service', 'checkout']);

    expect(result.code).toBe(0);
    const runbook = result.stdout;
    expect(runbook).toContain('## Traffic shifting');
    expect(runbook).toContain('| 1 | 10% | 5 min |\n| 2 | 100% | 10 min |');
    expect(runbook).toContain('the candidate takes all traffic and becomes the known-good color');
    expect(runbook).toContain(
      '- Before the first step: `GET http://test.shop.example.com:8080/health` expecting 200 and a body matching `ok`. A failure stops the release before any production traffic moves.',
    );
    expect(runbook).toContain(
      '- After each step has baked: the function `arn:aws:lambda:us-east-1:123456789012:function:checkout-smoke`',
    );
    const flags = '--function switchback-checkout-watchdog --region us-east-1';
    for (const action of ['pause', 'resume', 'promote', 'rollback']) {
      expect(runbook).toContain(`switchback ${action} ${flags} --reason "<why>"`);
    }
    expect(runbook).toContain('## Kill switches');
    expect(runbook).toContain('On a breach the watchdog turns these switches off first');
    expect(runbook).toContain('| SSM parameter `/checkout/new-cart` | writing `off` as a new version |');
    expect(runbook).toMatch(
      /\| AppConfig application `abc1234`, environment `env5678`, profile `prof999` \| .*`AppConfig\.AllAtOnce`/,
    );
    expect(runbook).toContain('3. Roll back. Kill switches first, then traffic');
    expect(runbook).toContain(
      'runs `GET https://shop.example.com/health` expecting 204 against production, waits up to 7 minutes for every protected alarm to be OK',
    );
  });

  it('says kill switches stand in for the traffic flip when the mode is instead-of-traffic', async () => {
    withDelivery({
      killSwitches: { ...DELIVERY.killSwitches, mode: 'instead-of-traffic' },
      verification: DELIVERY.verification,
    });

    const result = await cli(emulator(), ['runbook', '--app', appDir, '--service', 'checkout']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('turns these switches off **instead of** moving traffic');
    expect(result.stdout).not.toContain('## Traffic shifting');
    expect(result.stdout).toContain(
      'Traffic still rolls back when a switch cannot be turned off or the protected alarms are not all OK within 7 minutes; a rollback by hand (`switchback rollback`) always moves traffic too, switches first.',
    );
    expect(result.stdout).toContain('3. Roll back. Kill switches first, then traffic');
  });

  it('leaves the sections out when the service has no progressive delivery', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'switchback-cli-plain-'));
    const app = new App({ outdir: fresh });
    new ExampleStack(app, 'switchback-example', { serviceNames: ['checkout'], releaseId: 'r1' });
    app.synth();

    const result = await cli(emulator(), ['runbook', '--app', fresh, '--service', 'checkout']);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('## Traffic shifting');
    expect(result.stdout).not.toContain('## Kill switches');
    expect(result.stdout).toContain('waits up to 10 minutes for every protected alarm to be OK');
  });
});
