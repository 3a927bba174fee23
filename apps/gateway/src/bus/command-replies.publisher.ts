// Publishes each command's answer on the reply stream as a CloudEvent `command.<status>` whose
// subject is the command id (so a store system can wait on its own) and whose data is the reply.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { newId } from '@app/common';
import { CloudEvent, CommandReply, commandReplySchema, EVENT_SOURCE } from '@app/contracts';
import { RedisStreamsClient } from '@app/transport';
import { lastValueFrom } from 'rxjs';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

/** About as many answers as the stream keeps (XADD MAXLEN ~): days of traffic; readers keep up or miss the oldest. */
export const REPLY_STREAM_MAX_LEN = 1_000_000;

export function replyEvent(reply: CommandReply, now: Date = new Date()): CloudEvent<CommandReply> {
  return {
    specversion: '1.0',
    id: newId('evt', now.getTime()),
    source: EVENT_SOURCE,
    type: `command.${reply.status}`,
    time: now.toISOString(),
    subject: reply.commandId,
    datacontenttype: 'application/json',
    data: reply,
  };
}

@Injectable()
export class CommandReplies implements OnApplicationShutdown {
  private readonly client: RedisStreamsClient;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.client = new RedisStreamsClient({ url: config.REDIS_URL, stream: config.COMMAND_REPLY_STREAM_KEY, maxLen: REPLY_STREAM_MAX_LEN });
  }

  /** Answers the reply's stream id. The reply is checked against its contract first: nothing else leaves. */
  async publish(reply: CommandReply): Promise<string> {
    const event = replyEvent(commandReplySchema.parse(reply));
    return lastValueFrom(this.client.emit<string>(event.type, event));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
