/**
 * Stands in for `@smithy/core/event-streams` in the watchdog's bundle (~15 KiB). Only event-stream
 * operations (S3 SelectObjectContent, Lambda InvokeWithResponseStream...) use that codec, and the
 * watchdog calls none of them. Clients still configure a marshaller at construction; should an
 * event-stream operation ever be called, it fails with this message instead of a missing module.
 */
const unused = (): never => {
  throw new Error('the watchdog bundle has no event-stream support: no watchdog operation streams events');
};

const marshaller = { serialize: unused, deserialize: unused };

export const eventStreamSerdeProvider = (_options?: unknown) => marshaller;

export const resolveEventStreamSerdeConfig = <T extends object>(
  input: T & { eventStreamSerdeProvider: (input: T) => unknown },
) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });

export class EventStreamSerde {
  constructor() {
    unused();
  }
}
