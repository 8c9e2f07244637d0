/**
 * Every stack of the example app, read the way Terraform reads it before planning: meta-arguments are
 * bare references and every template parses with HashiCorp's HCL parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { SwitchbackChecks } from '../../index';
import { ExampleStack, exampleServiceNames } from '../../examples/service-stack';
import { ServiceRegionStack, WatchdogRegionStack } from '../../examples/standalone-watchdog';
import { metaArgumentFindings, templateFindings, templateStrings } from '../support/terraform-syntax';

/**
 * The example app synthesized whole, as `cdktf synth` does: only an app's synth resolves references
 * between stacks (into `terraform_remote_state` outputs), which `Testing.synth` of one stack does not.
 */
function synthesizedExampleApp(): (readonly [string, Record<string, unknown>])[] {
  const app = Testing.app();
  new ExampleStack(app, 'switchback-example', { serviceNames: exampleServiceNames(2), releaseId: 'r1' });
  const service = new ServiceRegionStack(app, 'payments-service', { releaseId: 'r1' });
  new WatchdogRegionStack(app, 'payments-watchdog', service, { releaseId: 'r1' });
  SwitchbackChecks.applyTo(app);
  app.synth();
  return ['switchback-example', 'payments-service', 'payments-watchdog'].map(
    (id) =>
      [
        id,
        JSON.parse(readFileSync(join(app.outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as Record<
          string,
          unknown
        >,
      ] as const,
  );
}

describe('synthesized example stacks, as Terraform parses them', () => {
  const synthesized = synthesizedExampleApp();

  it.each(synthesized.map(([id, json]) => [id, json]))(
    '%s: depends_on, provider and replace_triggered_by are bare references',
    (_id, json) => {
      const dependsOn = JSON.stringify(json).match(/"depends_on"/g) ?? [];
      expect(dependsOn.length).toBeGreaterThan(0);
      expect(metaArgumentFindings(json)).toEqual([]);
    },
  );

  it.each(synthesized.map(([id, json]) => [id, json]))(
    '%s: every ${…} template parses with HashiCorp’s HCL parser',
    async (_id, json) => {
      expect(templateStrings(json as never).length).toBeGreaterThan(10);
      expect(await templateFindings(json)).toEqual([]);
    },
  );

  it('orders the traffic resources after the capture with a bare address', () => {
    const [, example] = synthesized[0];
    const listeners = (example.resource as Record<string, Record<string, { depends_on?: string[] }>>)
      .aws_lb_listener;
    const captured = Object.values(listeners).filter((listener) =>
      (listener.depends_on ?? []).some((entry) => entry.startsWith('aws_lambda_invocation.')),
    );
    expect(captured.length).toBeGreaterThanOrEqual(4);
  });
});

describe('the syntax guard itself', () => {
  const stackWith = (block: Record<string, unknown>) => ({ resource: { aws_lb_listener: { l: block } } });

  it('flags a template in depends_on, provider and replace_triggered_by', () => {
    const findings = metaArgumentFindings(
      stackWith({
        depends_on: ['${aws_lambda_invocation.capture}', 'aws_s3_object.config'],
        provider: '${aws.west}',
        lifecycle: { replace_triggered_by: ['${aws_lb_target_group.blue.arn}'] },
      }),
    );
    expect(findings.map((finding) => finding.path)).toEqual([
      'resource.aws_lb_listener.l.depends_on[0]',
      'resource.aws_lb_listener.l.provider',
      'resource.aws_lb_listener.l.lifecycle.replace_triggered_by[0]',
    ]);
    expect(findings[0].problem).toContain('bare static reference');
  });

  it('accepts bare references of resources, data sources, modules and aliased providers', () => {
    expect(
      metaArgumentFindings(
        stackWith({
          depends_on: ['aws_lambda_invocation.capture', 'data.aws_iam_policy_document.x', 'module.m'],
          provider: 'aws.west',
          lifecycle: { replace_triggered_by: ['aws_lb_target_group.blue.arn'] },
        }),
      ),
    ).toEqual([]);
  });

  it('flags a template the HCL parser rejects, and names where it is', async () => {
    const findings = await templateFindings(
      stackWith({ name: '${aws_lb.main.name', tags: { ok: '${var.env}-x', bad: '${foo(}' } }),
    );
    expect(findings.map((finding) => finding.path)).toEqual([
      'resource.aws_lb_listener.l.name',
      'resource.aws_lb_listener.l.tags.bad',
    ]);
    expect(findings[0].problem).toMatch(/interpolation/i);
  });
});
