// What a handler may know about the message it is handling, beyond the event's `data` (its payload):
// `@Ctx() ctx: RedisStreamsContext`.
import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEvent } from '@app/contracts';

export interface RedisStreamsMessage {
  stream: string;
  group: string;
  consumer: string;
  /** Stream entry id (`<ms>-<seq>`). */
  messageId: string;
  /** 1 on the first delivery; counts every delivery to this group, retries and take-overs included. */
  deliveryCount: number;
  event: CloudEvent;
  /** Every field of the stream entry as published (`position`, `id`, `type`, `subject`, `merchantId`, `event`). */
  fields: Readonly<Record<string, string>>;
}

export class RedisStreamsContext extends BaseRpcContext<[RedisStreamsMessage]> {
  constructor(message: RedisStreamsMessage) {
    super([message]);
  }

  getMessageId(): string {
    return this.args[0].messageId;
  }

  getEvent(): CloudEvent {
    return this.args[0].event;
  }

  getDeliveryCount(): number {
    return this.args[0].deliveryCount;
  }

  getStream(): string {
    return this.args[0].stream;
  }

  getGroup(): string {
    return this.args[0].group;
  }

  getConsumer(): string {
    return this.args[0].consumer;
  }

  getFields(): Readonly<Record<string, string>> {
    return this.args[0].fields;
  }
}
