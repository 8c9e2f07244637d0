import { ACCOUNT_ID, hex } from '../../core/ids';
import { validationError } from './errors';
import { LoadBalancer } from './model';

const PREFIX = String.raw`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:`;
const ID = '[0-9a-f]{16}';
const NAME = '[A-Za-z0-9-]{1,32}';

/** The kinds of ELBv2 ARN, with the words AWS uses for them in messages. */
const KINDS = {
  loadBalancer: {
    re: new RegExp(`${PREFIX}loadbalancer/(app|net|gwy)/${NAME}/${ID}$`),
    words: 'load balancer',
  },
  targetGroup: { re: new RegExp(`${PREFIX}targetgroup/${NAME}/${ID}$`), words: 'target group' },
  listener: { re: new RegExp(`${PREFIX}listener/(app|net|gwy)/${NAME}/${ID}/${ID}$`), words: 'listener' },
  rule: {
    re: new RegExp(`${PREFIX}listener-rule/(app|net|gwy)/${NAME}/${ID}/${ID}/${ID}$`),
    words: 'listener rule',
  },
} as const;

export type ArnKind = keyof typeof KINDS;

/** Throws AWS's `ValidationError: '<value>' is not a valid <kind> ARN` unless `value` has the form. */
export function checkArn(kind: ArnKind, value: string): string {
  if (!KINDS[kind].re.test(value))
    throw validationError(`'${value}' is not a valid ${KINDS[kind].words} ARN`);
  return value;
}

/** Which kind an ARN is, if any. */
export function arnKind(value: string): ArnKind | undefined {
  return (Object.keys(KINDS) as ArnKind[]).find((k) => KINDS[k].re.test(value));
}

function base(region: string): string {
  return `arn:aws:elasticloadbalancing:${region}:${ACCOUNT_ID}:`;
}

const TYPE_SEGMENT: Record<LoadBalancer['Type'], string> = {
  application: 'app',
  network: 'net',
  gateway: 'gwy',
};

export function loadBalancerArn(region: string, type: LoadBalancer['Type'], name: string): string {
  return `${base(region)}loadbalancer/${TYPE_SEGMENT[type]}/${name}/${hex(16)}`;
}

export function targetGroupArn(region: string, name: string): string {
  return `${base(region)}targetgroup/${name}/${hex(16)}`;
}

/** `...:listener/app/<lb>/<lb-id>/<id>`, in the load balancer's region. */
export function listenerArn(lbArn: string): string {
  return `${lbArn.replace(':loadbalancer/', ':listener/')}/${hex(16)}`;
}

/** `...:listener-rule/app/<lb>/<lb-id>/<listener-id>/<id>`. */
export function ruleArn(listenerArnValue: string): string {
  return `${listenerArnValue.replace(':listener/', ':listener-rule/')}/${hex(16)}`;
}

/** The default rule's ARN is fixed per listener (derived, so it survives snapshots). */
export function defaultRuleArn(listenerArnValue: string): string {
  const listenerId = listenerArnValue.slice(listenerArnValue.lastIndexOf('/') + 1);
  return `${listenerArnValue.replace(':listener/', ':listener-rule/')}/${listenerId.split('').reverse().join('')}`;
}
