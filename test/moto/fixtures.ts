/**
 * What a test needs from moto beyond the services Switchback calls. moto checks, as AWS does, that a
 * load balancer's subnets exist in EC2, that an HTTPS listener's certificate exists in ACM and that
 * a function's role exists in IAM, so tests place load balancers in the default VPC moto creates in
 * every region, request certificates from ACM and create roles in IAM. The project has no EC2, ACM
 * or IAM client, so this speaks their protocols directly (moto reads the service from the
 * credential scope and checks no signature).
 */

/** A VPC and subnets in two availability zones, as a load balancer needs them. */
export interface MotoNetwork {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

/** The default VPC of `region` and two of its default subnets. */
export async function defaultNetwork(endpoint: string, region = 'us-east-1'): Promise<MotoNetwork> {
  const xml = await ec2(endpoint, region, {
    Action: 'DescribeSubnets',
    Version: '2016-11-15',
    'Filter.1.Name': 'default-for-az',
    'Filter.1.Value.1': 'true',
  });
  const subnets = [...xml.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((item) => ({
    subnetId: /<subnetId>([^<]+)<\/subnetId>/.exec(item[1] ?? '')?.[1],
    vpcId: /<vpcId>([^<]+)<\/vpcId>/.exec(item[1] ?? '')?.[1],
  }));
  const usable = subnets.filter((s): s is { subnetId: string; vpcId: string } =>
    Boolean(s.subnetId && s.vpcId),
  );
  const [first, second] = usable;
  if (!first || !second) throw new Error(`moto has fewer than two default subnets in ${region}: ${xml}`);
  return { vpcId: first.vpcId, subnetIds: [first.subnetId, second.subnetId] };
}

/** An ACM certificate for `domainName` (RequestCertificate), for an HTTPS listener. */
export async function requestCertificate(
  endpoint: string,
  domainName: string,
  region = 'us-east-1',
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CertificateManager.RequestCertificate',
      authorization: authorization('acm', region),
    },
    body: JSON.stringify({ DomainName: domainName, ValidationMethod: 'DNS' }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ACM RequestCertificate failed: HTTP ${response.status}: ${text}`);
  const arn = (JSON.parse(text) as { CertificateArn?: string }).CertificateArn;
  if (!arn) throw new Error(`moto ACM RequestCertificate answered no ARN: ${text}`);
  return arn;
}

/** An IAM role Lambda may assume (CreateRole), as CreateFunction needs one; returns its ARN. */
export async function createLambdaRole(endpoint: string, roleName: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: authorization('iam', 'us-east-1'),
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }).toString(),
  });
  const text = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!response.ok || !arn) throw new Error(`moto IAM CreateRole failed: HTTP ${response.status}: ${text}`);
  return arn;
}

/** An unsigned SigV4 header: moto routes by its credential scope and checks no signature. */
/** Whether IAM in moto has a role called `roleName` (GetRole). */
export async function roleExists(endpoint: string, roleName: string): Promise<boolean> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: authorization('iam', 'us-east-1'),
    },
    body: new URLSearchParams({ Action: 'GetRole', Version: '2010-05-08', RoleName: roleName }).toString(),
  });
  const text = await response.text();
  if (response.ok) return true;
  if (response.status === 404 || text.includes('NoSuchEntity')) return false;
  throw new Error(`moto IAM GetRole failed: HTTP ${response.status}: ${text}`);
}

function authorization(service: string, region: string): string {
  return `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function ec2(endpoint: string, region: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: authorization('ec2', region),
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto EC2 ${params.Action} failed: HTTP ${response.status}: ${text}`);
  return text;
}
