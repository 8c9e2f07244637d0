/** docs/constructs/versioned-artifact-store.md: the store and its prefix-scoped grants. */
import { App, TerraformStack } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ObjectLockMode, StoreAccess, VersionedArtifactStore } from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
const lambdaTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const role = new IamRole(stack, 'Reader', { namePrefix: 'checkout-reader-', assumeRolePolicy: lambdaTrust });
const ciRole = new IamRole(stack, 'Publisher', { namePrefix: 'checkout-ci-', assumeRolePolicy: lambdaTrust });

const store = new VersionedArtifactStore(stack, 'Store', {
  serviceName: 'checkout',
  noncurrentVersionsToKeep: 20,
  objectLock: { mode: ObjectLockMode.GOVERNANCE, retentionDays: 30 },
});

store.grantRead(role, 'manifests/'); // s3:GetObject on manifests/*, ListBucket limited to the prefix, kms:Decrypt
store.grantWrite(ciRole, `${store.keyPrefixes.artifacts}checkout/`); // s3:PutObject on artifacts/checkout/*, kms:GenerateDataKey + Decrypt
store.grantReadVersions(role, 'artifacts/'); // GetObjectVersion, ListBucketVersions limited to the prefix
export const statements = store.policyStatements(StoreAccess.READ, 'audit/'); // for a policy document of your own

// A store defined elsewhere (another stack, another tool), by its bucket name, checked like props.
export const shared = VersionedArtifactStore.fromArtifactStoreAttributes(stack, 'SharedStore', {
  serviceName: 'catalog',
  bucketName: 'catalog-artifacts-prod',
});
app.synth();
