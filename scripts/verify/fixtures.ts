/**
 * The existing infrastructure the example app expects (it takes it as variables): a VPC with two
 * subnets, one application load balancer per service, a certificate, the CI pipeline's OIDC
 * provider and the on-call role. The harness applies it as a Terraform configuration of its own,
 * against moto, with the same provider, and feeds its outputs to the example stacks as variables.
 */
import type { StackJson } from './moto-patch';

const SERVICES = ['checkout', 'catalog', 'payments'] as const;

/** The fixture configuration (us-east-1, where the example services run). */
export function existingInfrastructure(): StackJson {
  const loadBalancers = Object.fromEntries(
    SERVICES.map((service) => [
      service,
      {
        name: `${service}-alb`,
        load_balancer_type: 'application',
        internal: true,
        subnets: ['${aws_subnet.a.id}', '${aws_subnet.b.id}'],
      },
    ]),
  );
  return {
    terraform: { required_providers: { aws: { source: 'aws' } } },
    provider: { aws: [{ region: 'us-east-1' }] },
    resource: {
      aws_vpc: { main: { cidr_block: '10.0.0.0/16' } },
      aws_subnet: {
        a: { vpc_id: '${aws_vpc.main.id}', cidr_block: '10.0.1.0/24', availability_zone: 'us-east-1a' },
        b: { vpc_id: '${aws_vpc.main.id}', cidr_block: '10.0.2.0/24', availability_zone: 'us-east-1b' },
      },
      aws_lb: loadBalancers,
      aws_acm_certificate: { services: { domain_name: 'shop.example.com', validation_method: 'DNS' } },
      aws_iam_openid_connect_provider: {
        ci: {
          url: 'https://token.actions.githubusercontent.com',
          client_id_list: ['sts.amazonaws.com'],
          thumbprint_list: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
        },
      },
      aws_iam_role: {
        on_call: {
          name: 'on-call',
          assume_role_policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::123456789012:root' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        },
      },
    },
    output: {
      vpc_id: { value: '${aws_vpc.main.id}' },
      certificate_arn: { value: '${aws_acm_certificate.services.arn}' },
      on_call_role_arn: { value: '${aws_iam_role.on_call.arn}' },
      ci_oidc_provider_arn: { value: '${aws_iam_openid_connect_provider.ci.arn}' },
      // The database is only named (backed up by a selection moto lacks), never created.
      checkout_database_arn: { value: 'arn:aws:rds:us-east-1:123456789012:db:checkout' },
      ...Object.fromEntries(
        SERVICES.flatMap((service) => [
          [`${service}_load_balancer_arn`, { value: `\${aws_lb.${service}.arn}` }],
          [`${service}_load_balancer_arn_suffix`, { value: `\${aws_lb.${service}.arn_suffix}` }],
        ]),
      ),
    },
  };
}

/** The variables of each example stack, from the fixture's outputs. */
export function stackVariables(stack: string, outputs: Record<string, string>): Record<string, string> {
  switch (stack) {
    case 'switchback-example':
      return {
        vpc_id: outputs.vpc_id,
        certificate_arn: outputs.certificate_arn,
        ci_oidc_provider_arn: outputs.ci_oidc_provider_arn,
        on_call_role_arn: outputs.on_call_role_arn,
        checkout_database_arn: outputs.checkout_database_arn,
        checkout_load_balancer_arn: outputs.checkout_load_balancer_arn,
        catalog_load_balancer_arn: outputs.catalog_load_balancer_arn,
      };
    case 'payments-service':
      return {
        vpc_id: outputs.vpc_id,
        certificate_arn: outputs.certificate_arn,
        load_balancer_arn: outputs.payments_load_balancer_arn,
        load_balancer_arn_suffix: outputs.payments_load_balancer_arn_suffix,
      };
    default:
      return {};
  }
}
