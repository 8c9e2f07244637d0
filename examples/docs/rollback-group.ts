/** docs/constructs/rollback-group.md: three services that roll back together, one in another region. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  BlueGreenListener,
  MemberRollbackPolicy,
  RollbackGroup,
  RollbackOrder,
  RollbackWatchdog,
  VersionedArtifactStore,
} from '../../index';

const app = new App();
const stack = new TerraformStack(app, 'shop');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
const releaseId = process.env.SWITCHBACK_RELEASE_ID ?? 'local';
const loadBalancerArn =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';

/** A service of this stack with its store, blue-green listener and watchdog. */
function service(name: string): RollbackWatchdog {
  const store = new VersionedArtifactStore(stack, `${name}-store`, { serviceName: name });
  const listener = new BlueGreenListener(stack, `${name}-listener`, {
    serviceName: name,
    loadBalancerArn,
    vpcId: 'vpc-0123456789abcdef0',
  });
  return new RollbackWatchdog(stack, `${name}-watchdog`, { store, releaseId, listeners: [listener] });
}

const api = service('api');
const worker = service('worker');
// The ledger's watchdog lives in another stack and region; its own stack gives it
// groupMembership: { groupName: 'checkout', coordinatorFunctionArn:
//   'arn:aws:lambda:us-east-1:123456789012:function:switchback-group-checkout' }.
const ledger = RollbackWatchdog.fromRollbackWatchdogAttributes(stack, 'Ledger', {
  serviceName: 'ledger',
  functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:switchback-ledger-watchdog',
  functionName: 'switchback-ledger-watchdog',
});

// The api calls the worker, the worker calls the ledger: when the ledger rolls back, the api and
// then the worker follow (callers first: the outermost caller goes back first). The api may not be
// reverted without a person (its release carries a schema change), so a group rollback that would
// include it is blocked instead: the followers are frozen and the on-call is paged.
export const group = new RollbackGroup(stack, 'Checkout', {
  groupName: 'checkout',
  store: new VersionedArtifactStore(stack, 'GroupStore', { serviceName: 'checkout' }),
  members: [
    { watchdog: api, dependsOn: ['worker'], mayRevertAlone: false },
    { watchdog: worker, dependsOn: ['ledger'] },
    { watchdog: ledger },
  ],
  order: RollbackOrder.CALLERS_FIRST,
  onMemberRollback: MemberRollbackPolicy.FOLLOW,
  freezeMinutes: 240,
});
app.synth();
