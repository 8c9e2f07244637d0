import { randomUUID } from 'node:crypto';
import { AwsError } from '../core/aws-error';
import { ACCOUNT_ID } from '../core/ids';
import { Params, ValidationErrors } from '../core/params';
import { Operation, paginate, read, Runtime, ServiceDefinition, SnsDelivery, write } from '../core/service';
import { QueryProtocol } from '../protocols/query';
import { XmlMap } from '../core/xml';

export interface Topic {
  TopicArn: string;
  Name: string;
  Attributes: Record<string, string>;
}

/** A message as Publish received it. */
export interface PublishedMessage extends SnsDelivery {
  readonly messageStructure?: string;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

export interface SnsState {
  topics: Map<string, Topic>;
  messages: PublishedMessage[];
}

const MAX_MESSAGE_BYTES = 262144;

const invalidParameter = (what: string): AwsError =>
  new AwsError('InvalidParameter', `Invalid parameter: ${what}`);

const validation: ValidationErrors = {
  missing: (member) =>
    invalidParameter(
      `${member.charAt(0).toUpperCase()}${member.slice(1)} Reason: no value for required parameter`,
    ),
  invalid: (message) => new AwsError('InvalidParameter', message),
};

function checkTopicArn(arn: string): string {
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(arn))
    throw invalidParameter('TopicArn');
  return arn;
}

function readMessageAttributes(p: Params): PublishedMessage['messageAttributes'] {
  const out: Record<string, { DataType: string; StringValue?: string }> = {};
  for (const [name, value] of p.entries('MessageAttributes', 'Name', 'Value') ?? []) {
    if (typeof value === 'string') throw invalidParameter(`MessageAttributes ${name}`);
    const dataType = value.str('DataType');
    const stringValue = value.str('StringValue');
    const binary = value.str('BinaryValue');
    if (!dataType) {
      throw new AwsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    }
    if (stringValue === undefined && binary === undefined) {
      throw new AwsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
      );
    }
    out[name] = { DataType: dataType, StringValue: stringValue ?? binary };
  }
  return out;
}

/** Records a message on a topic and hands it to in-process subscribers. */
export function deliver(
  state: SnsState,
  runtime: Runtime,
  message: Omit<PublishedMessage, 'messageId' | 'timestamp'>,
): string {
  const full: PublishedMessage = { ...message, messageId: randomUUID(), timestamp: new Date(runtime.now()) };
  state.messages.push(full);
  for (const subscriber of runtime.snsSubscribers.get(message.topicArn) ?? []) {
    // Deliveries are asynchronous in SNS too: a subscriber never runs inside Publish.
    queueMicrotask(() => subscriber(structuredClone(full)));
  }
  return full.messageId;
}

const operations: Record<string, Operation<SnsState>> = {
  CreateTopic: write((state, { params: p, region }) => {
    const name = p.reqStr('Name');
    const attributes: Record<string, string> = {};
    for (const [k, v] of p.entries('Attributes', 'key', 'value') ?? []) {
      if (typeof v !== 'string') throw invalidParameter(`Attributes Reason: ${k}`);
      attributes[k] = v;
    }
    const fifo = attributes.FifoTopic === 'true';
    if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name) || fifo !== name.endsWith('.fifo')) {
      throw invalidParameter(
        fifo || name.endsWith('.fifo')
          ? 'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.'
          : 'Topic Name',
      );
    }
    const arn = `arn:aws:sns:${region}:${ACCOUNT_ID}:${name}`;
    const existing = state.topics.get(arn);
    if (existing) {
      const differs = Object.entries(attributes).some(([k, v]) => existing.Attributes[k] !== v);
      if (differs)
        throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      return { TopicArn: arn };
    }
    state.topics.set(arn, { TopicArn: arn, Name: name, Attributes: attributes });
    return { TopicArn: arn };
  }),

  DeleteTopic: write((state, { params: p }) => {
    state.topics.delete(checkTopicArn(p.reqStr('TopicArn')));
    return {};
  }),

  ListTopics: read((state, { params: p }) => {
    const { page, next } = paginate([...state.topics.keys()], p.str('NextToken'), 100, () =>
      invalidParameter('NextToken'),
    );
    return { Topics: page.map((TopicArn) => ({ TopicArn })), NextToken: next };
  }),

  GetTopicAttributes: read((state, { params: p }) => {
    const topic = state.topics.get(checkTopicArn(p.reqStr('TopicArn')));
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', { status: 404 });
    return {
      Attributes: new XmlMap({
        ...topic.Attributes,
        TopicArn: topic.TopicArn,
        Owner: ACCOUNT_ID,
        DisplayName: topic.Attributes.DisplayName ?? '',
        SubscriptionsConfirmed: '0',
        SubscriptionsPending: '0',
        SubscriptionsDeleted: '0',
      }),
    };
  }),

  Publish: write((state, { params: p, runtime }) => {
    const topicArn = p.str('TopicArn') ?? p.str('TargetArn');
    if (topicArn === undefined) {
      if (p.has('PhoneNumber')) throw invalidParameter('PhoneNumber Reason: SMS is not emulated');
      throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    }
    const message = p.reqStr('Message');
    if (message.length === 0) throw invalidParameter('Empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
    const subject = p.str('Subject');
    if (
      subject !== undefined &&
      (subject.length === 0 || subject.length > 100 || !/^[\x20-\x7e]*$/.test(subject))
    ) {
      throw invalidParameter('Subject');
    }
    const structure = p.str('MessageStructure');
    if (structure !== undefined) {
      if (structure !== 'json') throw invalidParameter('MessageStructure');
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        throw invalidParameter('Message Structure - JSON message body failed to parse');
      }
      if (typeof parsed !== 'object' || parsed === null || !('default' in parsed)) {
        throw invalidParameter('Message Structure - No default entry in JSON message body');
      }
    }
    const topic = state.topics.get(checkTopicArn(topicArn));
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', { status: 404 });
    const fifo = topic.Attributes.FifoTopic === 'true';
    const groupId = p.str('MessageGroupId');
    if (fifo && groupId === undefined)
      throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    const dedupId = p.str('MessageDeduplicationId');
    if (fifo && dedupId === undefined && topic.Attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameter(
        'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    const id = deliver(state, runtime, {
      topicArn: topic.TopicArn,
      message,
      subject,
      messageAttributes: readMessageAttributes(p),
      messageStructure: structure,
      messageGroupId: groupId,
      messageDeduplicationId: dedupId,
    });
    return {
      MessageId: id,
      SequenceNumber: fifo ? String(state.messages.length).padStart(20, '0') : undefined,
    };
  }),
};

/** SNS: AWS Query protocol, version 2010-03-31. */
export const snsService: ServiceDefinition<SnsState> = {
  name: 'sns',
  protocol: new QueryProtocol({
    version: '2010-03-31',
    xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  }),
  errors: validation,
  throttlingError: () => new AwsError('Throttling', 'Rate exceeded', { status: 400 }),
  internalErrorCode: 'InternalError',
  unknownAction: (action) =>
    new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`),
  createState: () => ({ topics: new Map(), messages: [] }),
  operations,
};

/** In-process access to SNS for tests and drills. */
export class SnsInspector {
  constructor(
    private readonly state: () => SnsState,
    private readonly runtime: Runtime,
  ) {}

  topics(): Topic[] {
    return structuredClone([...this.state().topics.values()]);
  }

  /** Messages published (by Publish or by alarm actions), oldest first, optionally of one topic. */
  publishedMessages(topicArn?: string): PublishedMessage[] {
    return structuredClone(
      this.state().messages.filter((m) => topicArn === undefined || m.topicArn === topicArn),
    );
  }

  /**
   * Calls `subscriber` for every later message on the topic (asynchronously, like SNS). Returns
   * a function that unsubscribes. Subscriptions survive `reset()` only if made again.
   */
  subscribe(topicArn: string, subscriber: (delivery: SnsDelivery) => void): () => void {
    const set = this.runtime.snsSubscribers.get(topicArn) ?? new Set();
    set.add(subscriber);
    this.runtime.snsSubscribers.set(topicArn, set);
    return () => set.delete(subscriber);
  }
}
