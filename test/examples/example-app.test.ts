import { Testing } from 'cdktf';
import { ExampleStack, exampleServiceNames } from '../../examples/service-stack';
import { blockAt, blocksOfType, refTo, type SynthesizedStack } from '../support/synth';
import * as entryPoint from '../..';

function synthExample(count: number): SynthesizedStack {
  const app = Testing.app();
  const stack = new ExampleStack(app, 'switchback-example', { serviceNames: exampleServiceNames(count) });
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

describe('example app', () => {
  it('defines a store and a blue-green listener per service, from variables only', () => {
    const json = synthExample(2);

    expect(blocksOfType(json, 'aws_s3_bucket')).toHaveLength(2);
    expect(blocksOfType(json, 'aws_lb_target_group')).toHaveLength(4);
    expect(blocksOfType(json, 'aws_lb_listener')).toHaveLength(6);
    expect(Object.keys(json.variable ?? {}).sort()).toEqual([
      'certificate_arn',
      'checkout_load_balancer_arn',
      'ci_oidc_provider_arn',
      'service-02_load_balancer_arn',
      'vpc_id',
    ]);
    expect(blockAt(json, 'aws_lb_listener', 'checkout/BlueGreen/ProductionListener')).toEqual(
      expect.objectContaining({
        protocol: 'HTTPS',
        certificate_arn: '${var.certificate_arn}',
        load_balancer_arn: '${var.checkout_load_balancer_arn}',
      }),
    );
  });

  it('lets CI write artifacts of its own service only', () => {
    const json = synthExample(2);

    const writes = blocksOfType(json, 'aws_iam_policy_document', 'data').filter(([id]) =>
      id.includes('write-artifacts'),
    );
    expect(writes).toHaveLength(2);
    const resources = writes.map(([, doc]) => (doc.statement as Record<string, unknown>[])[0].resources);
    expect(resources).toEqual([
      [`${refTo(json, 'aws_s3_bucket', 'checkout/ArtifactStore/Bucket', 'arn')}/artifacts/checkout/*`],
      [`${refTo(json, 'aws_s3_bucket', 'service-02/ArtifactStore/Bucket', 'arn')}/artifacts/service-02/*`],
    ]);
  });

  it('outputs what an operator needs per service', () => {
    const json = synthExample(1);

    expect(Object.keys(json.output ?? {}).sort()).toEqual([
      expect.stringMatching(/^checkout_artifact_bucket/),
      expect.stringMatching(/^checkout_blue_target_group_arn/),
      expect.stringMatching(/^checkout_green_target_group_arn/),
      expect.stringMatching(/^checkout_listener_arn/),
    ]);
  });

  it('names services checkout, service-02, service-03, ...', () => {
    expect(exampleServiceNames(3)).toEqual(['checkout', 'service-02', 'service-03']);
  });
});

describe('library entry point', () => {
  it('exports the constructs and their error type, and no Lambda or contract code', () => {
    expect(Object.keys(entryPoint).sort()).toEqual([
      'BlueGreenListener',
      'DEFAULT_SSL_POLICY',
      'SwitchbackValidationError',
      'VersionedArtifactStore',
    ]);
  });
});
