import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { BlueGreenListener, type BlueGreenListenerProps } from '../../../index';
import { blocksOfType, newStack, synth, synthStack, type SynthesizedStack } from '../../support/synth';
import { expectValidationError } from '../../support/validation';
import { CERTIFICATE_ARN, LOAD_BALANCER_ARN, OTHER_CERTIFICATE_ARN, VPC_ID } from '../fixtures';

const THIRD_CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

const BASE: BlueGreenListenerProps = {
  loadBalancerArn: LOAD_BALANCER_ARN,
  vpcId: VPC_ID,
  serviceName: 'checkout',
  certificateArn: CERTIFICATE_ARN,
};

interface Moved {
  readonly from: string;
  readonly to: string;
}

function synthWith(additionalCertificateArns: string[]): SynthesizedStack {
  return synth((stack) => new BlueGreenListener(stack, 'Checkout', { ...BASE, additionalCertificateArns }));
}

/** Logical id of each certificate attachment, by the certificate it attaches. */
function attachmentsByCertificate(json: SynthesizedStack): Record<string, string> {
  return Object.fromEntries(
    blocksOfType(json, 'aws_lb_listener_certificate').map(([id, block]) => [block.certificate_arn, id]),
  );
}

function movedBlocks(json: SynthesizedStack): Moved[] {
  return (json as { moved?: Moved[] }).moved ?? [];
}

/** The address the index-keyed id `ProductionListenerCertificate<n>` had: what existing state holds. */
function positionalAddress(position: number): string {
  const { stack } = newStack();
  new LbListenerCertificate(new Construct(stack, 'Checkout'), `ProductionListenerCertificate${position}`, {
    listenerArn: 'arn',
    certificateArn: 'arn',
  });
  const [[id]] = blocksOfType(synthStack(stack), 'aws_lb_listener_certificate');
  return `aws_lb_listener_certificate.${id}`;
}

describe('BlueGreenListener certificate attachments', () => {
  it('keys each attachment by its certificate, so reordering the list replaces nothing', () => {
    const given = synthWith([OTHER_CERTIFICATE_ARN, THIRD_CERTIFICATE_ARN]);
    const reordered = synthWith([THIRD_CERTIFICATE_ARN, OTHER_CERTIFICATE_ARN]);

    expect(attachmentsByCertificate(reordered)).toEqual(attachmentsByCertificate(given));
    expect(attachmentsByCertificate(given)[OTHER_CERTIFICATE_ARN]).toMatch(
      /^Checkout_ProductionListenerCertificate-66666666-7777-8888-9999-000000000000-[0-9a-f]{8}_[0-9A-F]{8}$/,
    );
  });

  it('moves the state of each attachment from its former, positional address', () => {
    const json = synthWith([OTHER_CERTIFICATE_ARN, THIRD_CERTIFICATE_ARN]);
    const ids = attachmentsByCertificate(json);

    expect(movedBlocks(json)).toEqual([
      { from: positionalAddress(1), to: `aws_lb_listener_certificate.${ids[OTHER_CERTIFICATE_ARN]}` },
      { from: positionalAddress(2), to: `aws_lb_listener_certificate.${ids[THIRD_CERTIFICATE_ARN]}` },
    ]);
    // The moved block leaves the resource itself in place, and the placeholder used to compute the old
    // address leaves nothing behind.
    expect(blocksOfType(json, 'aws_lb_listener_certificate')).toHaveLength(2);
  });

  it('writes no moved block when there are no extra certificates', () => {
    expect(movedBlocks(synthWith([]))).toEqual([]);
  });

  it('keys a certificate only Terraform knows by its reference, not by the order tokens were made in', () => {
    const idOf = (extraTokensFirst: number) => {
      const { stack } = newStack();
      for (let i = 0; i < extraTokensFirst; i++) new TerraformVariable(stack, `unrelated${i}`, {});
      const certificate = new TerraformVariable(stack, 'api_certificate_arn', { type: 'string' });
      new BlueGreenListener(stack, 'Checkout', {
        ...BASE,
        additionalCertificateArns: [certificate.stringValue],
      });
      const [[id]] = blocksOfType(synthStack(stack), 'aws_lb_listener_certificate');
      return id;
    };

    expect(idOf(0)).toEqual(idOf(3));
    expect(idOf(0)).toMatch(/^Checkout_ProductionListenerCertificate-.*api-certificate-arn/);
  });

  it('fails when a certificate is listed twice', () => {
    const { stack } = newStack();
    expectValidationError(
      () =>
        new BlueGreenListener(stack, 'Checkout', {
          ...BASE,
          additionalCertificateArns: [OTHER_CERTIFICATE_ARN, THIRD_CERTIFICATE_ARN, OTHER_CERTIFICATE_ARN],
        }),
      'test/Checkout',
      'additionalCertificateArns[2]',
      /must be unique: a listener holds each certificate once/,
    );
  });
});
