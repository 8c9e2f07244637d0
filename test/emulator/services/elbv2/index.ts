import { AwsError } from '../../core/aws-error';
import { ServiceDefinition } from '../../core/service';
import { QueryProtocol } from '../../protocols/query';
import { elbValidation } from './errors';
import { listenerOperations } from './listeners';
import { loadBalancerOperations } from './load-balancers';
import { createElbState, ElbState } from './model';
import { targetGroupOperations } from './target-groups';

/** Elastic Load Balancing v2 (ALB/NLB): AWS Query protocol, version 2015-12-01. */
export const elbv2Service: ServiceDefinition<ElbState> = {
  name: 'elbv2',
  protocol: new QueryProtocol({
    version: '2015-12-01',
    xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  }),
  errors: elbValidation,
  throttlingError: () => new AwsError('Throttling', 'Rate exceeded', { status: 400 }),
  internalErrorCode: 'InternalFailure',
  unknownAction: (action) =>
    new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`),
  createState: createElbState,
  operations: { ...loadBalancerOperations, ...targetGroupOperations, ...listenerOperations },
};

export type { ElbState } from './model';
