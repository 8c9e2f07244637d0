import type { IncomingHttpHeaders } from 'node:http';
import { ServiceName } from './core/types';

/** SigV4 credential-scope service names, as each SDK client signs them. */
const SIGNING_NAMES: Readonly<Record<string, ServiceName>> = {
  elasticloadbalancing: 'elbv2',
  lambda: 'lambda',
  ssm: 'ssm',
  s3: 's3',
  monitoring: 'cloudwatch',
  sns: 'sns',
  backup: 'backup',
  appconfig: 'appconfig',
  sts: 'sts',
};

/** `X-Amz-Target` prefixes of the JSON RPC services. */
const TARGET_PREFIXES: Readonly<Record<string, ServiceName>> = {
  AmazonSSM: 'ssm',
  GraniteServiceVersion20100801: 'cloudwatch',
};

/** Query-protocol API versions. */
const QUERY_VERSIONS: Readonly<Record<string, ServiceName>> = {
  '2015-12-01': 'elbv2',
  '2010-03-31': 'sns',
  '2011-06-15': 'sts',
};

/** Where a request goes, and the region it was signed for. */
export interface Destination {
  readonly service: ServiceName | undefined;
  readonly region: string;
}

/** `Credential=AKID/20260101/us-east-1/elasticloadbalancing/aws4_request` → region and service. */
function credentialScope(headers: IncomingHttpHeaders, query: URLSearchParams): [string, string] | undefined {
  const auth = String(headers.authorization ?? '');
  const credential = /Credential=([^,\s]+)/.exec(auth)?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  const parts = credential?.split('/');
  if (!parts || parts.length < 5) return undefined;
  return [parts[parts.length - 3], parts[parts.length - 2]];
}

/** A bucket named by a virtual-hosted-style Host (`<bucket>.localhost[:port]`, `<bucket>.s3.<...>`). */
export function bucketFromHost(host: string | undefined): string | undefined {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const match = /^(.+)\.localhost$/.exec(name) ?? /^(.+)\.s3[.-]/.exec(name);
  return match?.[1];
}

/**
 * Routes a request like a cloud edge: first by the SigV4 scope's service name, then by
 * `X-Amz-Target`, the Query `Version`, the Lambda path prefix and an S3 virtual host.
 */
export function route(
  headers: IncomingHttpHeaders,
  path: string,
  query: URLSearchParams,
  body: Buffer,
  defaultRegion: string,
): Destination {
  const scope = credentialScope(headers, query);
  const region = scope?.[0] || defaultRegion;
  const signed = scope ? SIGNING_NAMES[scope[1]] : undefined;
  if (signed) return { service: signed, region };
  const target = String(headers['x-amz-target'] ?? '');
  const byTarget = TARGET_PREFIXES[target.slice(0, target.lastIndexOf('.'))];
  if (byTarget) return { service: byTarget, region };
  const form = String(headers['content-type'] ?? '').includes('x-www-form-urlencoded')
    ? new URLSearchParams(body.toString('utf8'))
    : query;
  const byVersion = QUERY_VERSIONS[form.get('Version') ?? ''];
  if (byVersion) return { service: byVersion, region };
  if (path.startsWith('/2015-03-31/')) return { service: 'lambda', region };
  if (bucketFromHost(headers.host)) return { service: 's3', region };
  return { service: undefined, region };
}
