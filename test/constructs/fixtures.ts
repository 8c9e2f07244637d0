/** Realistic inputs for construct tests. */
export const LOAD_BALANCER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
export const VPC_ID = 'vpc-0123456789abcdef0';
export const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
export const OTHER_CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';
export const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
export const REPLICA_KMS_KEY_ARN =
  'arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3210-abcd-ef0123456789';
