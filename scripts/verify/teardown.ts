/**
 * What `tofu destroy` needs first. The artifact store keeps every version and does not force-destroy
 * (a release's history is not lost to a stray destroy), so, as an operator on a real account would,
 * the harness empties the stack's buckets (every version and delete marker) before destroying it.
 */
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import type { TofuStack } from './tofu';

const credentials = { accessKeyId: 'switchback-verify', secretAccessKey: 'switchback-verify' };

/** Empties every bucket in `stack`'s state; returns how many object versions it deleted. */
export async function emptyBuckets(stack: TofuStack, motoEndpoint: string): Promise<number> {
  const buckets = await stack.resourcesOfType('aws_s3_bucket');
  let deleted = 0;
  for (const bucket of buckets) {
    const name = String(bucket.bucket);
    const s3 = new S3Client({
      region: String(bucket.region ?? 'us-east-1'),
      endpoint: motoEndpoint,
      forcePathStyle: true,
      credentials,
    });
    try {
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: name }));
        const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((entry) => ({
          Key: entry.Key as string,
          VersionId: entry.VersionId,
        }));
        if (objects.length === 0) break;
        const answer = await s3.send(
          new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: objects, Quiet: true } }),
        );
        if (answer.Errors?.length)
          throw new Error(`emptying ${name}: ${answer.Errors.map((error) => error.Message).join('; ')}`);
        deleted += objects.length;
      }
    } finally {
      s3.destroy();
    }
  }
  return deleted;
}
