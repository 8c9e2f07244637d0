import { request } from 'node:http';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { useEmulator } from './testing';

const emulator = useEmulator();

/** A SigV4-looking Authorization header naming `service` (the emulator never checks signatures). */
function signedFor(service: string, region = 'us-east-1'): Record<string, string> {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`,
  };
}

async function send(
  path: string,
  init: RequestInit,
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${emulator().endpoint}${path}`, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedFor('elasticloadbalancing') },
  body,
});

describe('malformed requests get AWS error shapes', () => {
  it('answers InvalidAction for an unknown Query action', async () => {
    const res = await send('/', form('Action=DescribeNothing&Version=2015-12-01'));
    expect(res.status).toBe(400);
    expect(res.text).toContain(
      '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">',
    );
    expect(res.text).toContain(
      '<Type>Sender</Type><Code>InvalidAction</Code><Message>The action DescribeNothing is not valid for this web service.</Message>',
    );
    expect(emulator().requestLog.entries()[0]).toMatchObject({
      service: 'elbv2',
      action: 'DescribeNothing',
      status: 400,
      errorCode: 'InvalidAction',
    });
  });

  it('answers MissingAction without an Action, and ValidationError for hostile parameter names', async () => {
    expect((await send('/', form('Version=2015-12-01'))).text).toContain('<Code>MissingAction</Code>');
    for (const body of [
      'Action=DescribeListeners&ListenerArns.member.99999=x',
      'Action=DescribeListeners&__proto__.polluted=1',
    ]) {
      const res = await send('/', form(body));
      expect([res.status, res.text.includes('<Code>ValidationError</Code>')]).toEqual([400, true]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers ValidationError for a bad ARN and a missing required parameter', async () => {
    const bad = await send(
      '/',
      form('Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=arn%3Anope'),
    );
    expect(bad.text).toContain("<Message>'arn:nope' is not a valid target group ARN</Message>");
    const missing = await send('/', form('Action=DescribeTargetHealth&Version=2015-12-01'));
    expect(missing.text).toContain("Value null at 'targetGroupArn' failed to satisfy constraint");
  });

  it('answers UnknownOperationException and SerializationException on JSON services', async () => {
    const headers = { 'content-type': 'application/x-amz-json-1.1', ...signedFor('ssm') };
    const unknown = await send('/', {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': 'AmazonSSM.Nope' },
      body: '{}',
    });
    expect([unknown.status, JSON.parse(unknown.text).__type]).toEqual([400, 'UnknownOperationException']);
    const garbage = await send('/', {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': 'AmazonSSM.GetParameter' },
      body: '{"Name":',
    });
    expect([garbage.status, JSON.parse(garbage.text).__type]).toEqual([400, 'SerializationException']);
    const cw = await send('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms',
        ...signedFor('monitoring'),
      },
      body: '[1,2]',
    });
    expect([cw.status, cw.headers.get('x-amzn-query-error')]).toEqual([400, 'SerializationException;Sender']);
  });

  it('answers REST errors for Lambda and S3', async () => {
    const route = await send('/2015-03-31/nothing', { method: 'GET', headers: signedFor('lambda') });
    expect([route.status, route.headers.get('x-amzn-errortype')]).toEqual([404, 'UnknownOperationException']);
    const json = await send('/2015-03-31/functions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedFor('lambda') },
      body: 'nope',
    });
    expect([json.status, json.headers.get('x-amzn-errortype')]).toEqual([
      400,
      'InvalidRequestContentException',
    ]);
    const acl = await send('/bucket?acl', { method: 'GET', headers: signedFor('s3') });
    expect([acl.status, acl.text.includes('<Code>NotImplemented</Code>')]).toEqual([501, true]);
    await send('/bucket', { method: 'PUT', headers: signedFor('s3') });
    const xml = await send('/bucket?versioning', {
      method: 'PUT',
      headers: signedFor('s3'),
      body: '<VersioningConfiguration><Status>',
    });
    expect([xml.status, xml.text.includes('<Code>MalformedXML</Code>')]).toEqual([400, true]);
    const badUri = await send('/bucket/%E0%A4%A', { method: 'GET', headers: signedFor('s3') });
    expect([badUri.status, badUri.text.includes('<Code>InvalidURI</Code>')]).toEqual([400, true]);
  });

  it('answers UnrecognizedService when nothing names a service', async () => {
    const res = await send('/whatever', { method: 'POST', body: 'hello' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>UnrecognizedService</Code>');
    expect(emulator().requestLog.entries()[0]).toMatchObject({ service: 'unknown', status: 400 });
  });

  it('routes unsigned requests by X-Amz-Target and Query Version', async () => {
    const ssm = await send('/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
      body: '{"Name":"/none"}',
    });
    expect(JSON.parse(ssm.text).__type).toBe('ParameterNotFound');
    const elb = await send('/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeLoadBalancers&Version=2015-12-01',
    });
    expect(elb.text).toContain('<DescribeLoadBalancersResponse');
  });

  it('keeps answering after arbitrary requests (property)', async () => {
    const services = ['elasticloadbalancing', 'lambda', 'ssm', 's3', 'monitoring', 'sns', 'nope'];
    const paths = [
      '/',
      '/2015-03-31/functions',
      '/2015-03-31/functions/f/invocations',
      '/2015-03-31/functions/f/aliases/a',
      '/b',
      '/b/k',
      '/b/k/%20x',
      '/b?versions',
      '/b?list-type=2',
      '/?Action=DescribeListeners',
    ];
    const targets = [
      'AmazonSSM.PutParameter',
      'AmazonSSM.GetParameterHistory',
      'GraniteServiceVersion20100801.PutMetricAlarm',
      'Nope.X',
      '',
    ];
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString('latin1')),
      fc
        .dictionary(
          fc.constantFrom(
            'Action',
            'Version',
            'Name',
            'ListenerArn',
            'DefaultActions.member.1.Type',
            'Tags.member.1.Key',
            'A.entry.1.key',
          ),
          fc.string(),
        )
        .map((d) => new URLSearchParams(d).toString()),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD'),
        fc.constantFrom(...paths),
        fc.constantFrom(...services),
        fc.constantFrom(...targets),
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/x-amz-json-1.1',
          'application/json',
          'application/xml',
          '',
        ),
        bodies,
        async (method, path, service, target, contentType, body) => {
          const headers: Record<string, string> = { ...signedFor(service) };
          if (target) headers['x-amz-target'] = target;
          if (contentType) headers['content-type'] = contentType;
          const res = await send(path, {
            method,
            headers,
            body: method === 'GET' || method === 'HEAD' ? undefined : body,
          });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          expect(res.text).not.toContain('Internal emulator error');
          expect(res.text).not.toContain('Emulator edge failure');
          if (res.status >= 400 && method !== 'HEAD') {
            expect(res.text).toMatch(/<Code>[^<]+<\/Code>|"__type"|"message"/);
          }
        },
      ),
      { numRuns: 150 },
    );
    const elbv2 = new ElasticLoadBalancingV2Client({ ...emulator().clientConfig(), maxAttempts: 1 });
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    elbv2.destroy();
  });
});

describe('pointing the SDK at the emulator', () => {
  it('works through the standard AWS_ENDPOINT_URL environment variable', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = emulator().endpoint;
    try {
      const ssm = new SSMClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
        maxAttempts: 1,
      });
      await ssm.send(new PutParameterCommand({ Name: '/via-env', Value: 'ok', Type: 'String' }));
      expect((await ssm.send(new GetParameterCommand({ Name: '/via-env' }))).Parameter?.Value).toBe('ok');
      ssm.destroy();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(emulator().ssm.parameter('/via-env')?.Value).toBe('ok');
  });
});

describe('S3 addressing and bodies', () => {
  it('accepts virtual-hosted-style requests on <bucket>.localhost', async () => {
    const s3 = new S3Client({ ...emulator().s3ClientConfig(), maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'vhost' }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: emulator().port,
          method: 'PUT',
          path: '/dir/file.txt',
          headers: { host: `vhost.localhost:${emulator().port}`, ...signedFor('s3') },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('virtual');
    });
    expect(status).toBe(200);
    expect(emulator().s3.text('vhost', 'dir/file.txt')).toBe('virtual');
    s3.destroy();
  });

  it('stores multi-megabyte bodies sent with Expect: 100-continue', async () => {
    const s3 = new S3Client({ ...emulator().s3ClientConfig(), maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    await s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'blob', Body: body }));
    const out = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'blob' }));
    expect(Buffer.from((await out.Body?.transformToByteArray()) ?? []).equals(body)).toBe(true);
    s3.destroy();
  });
});
