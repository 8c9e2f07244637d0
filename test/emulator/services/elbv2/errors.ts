import { AwsError, nullMemberMessage } from '../../core/aws-error';
import { ValidationErrors } from '../../core/params';

/** ELBv2 validation wording: `ValidationError` with the Coral front end's messages. */
export const elbValidation: ValidationErrors = {
  missing: (member) => new AwsError('ValidationError', nullMemberMessage(member)),
  invalid: (message) => new AwsError('ValidationError', message),
};

export function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

export const notFound = {
  loadBalancer: () => new AwsError('LoadBalancerNotFound', 'One or more load balancers not found'),
  targetGroups: () => new AwsError('TargetGroupNotFound', 'One or more target groups not found'),
  targetGroup: (arn: string) => new AwsError('TargetGroupNotFound', `Target group '${arn}' not found`),
  listener: () => new AwsError('ListenerNotFound', 'One or more listeners not found'),
  rule: () => new AwsError('RuleNotFound', 'One or more rules not found'),
};
