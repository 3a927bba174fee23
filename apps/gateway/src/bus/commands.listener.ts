// The bus side of the command routes: every `command.<type>.<verb>` event on the command stream.
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventErrorFilter, REDIS_STREAMS_TRANSPORT, RedisStreamsContext } from '@app/transport';
import { BusCommands } from './bus-commands.service';

/** Every bus command type; a known prefix with an unknown command is answered `rejected` too. */
export const COMMAND_PATTERN = 'command.*.*';

// On the handler, not `useGlobalFilters` on the connected microservice: in a hybrid app that
// microservice is initialised by connectMicroservice, and a global filter added afterwards is ignored.
@Controller()
@UseFilters(new EventErrorFilter())
export class CommandsListener {
  constructor(@Inject(BusCommands) private readonly commands: BusCommands) {}

  @EventPattern(COMMAND_PATTERN, REDIS_STREAMS_TRANSPORT)
  async handle(@Payload() data: Record<string, unknown>, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    await this.commands.handle({ type: ctx.getEvent().type, data, messageId: ctx.getMessageId(), deliveryCount: ctx.getDeliveryCount() });
  }
}
