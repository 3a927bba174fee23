// `GET /v1/events`: hands the raw response to the event stream once the request is authorized and
// valid (any problem is answered as JSON before the stream starts).
import { Controller, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MerchantId } from '../auth/principal';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { EventStreamService } from './event-stream.service';
import { streamEventsRoute } from './events.routes';

@Controller()
export class EventsController {
  constructor(@Inject(EventStreamService) private readonly streams: EventStreamService) {}

  @Endpoint(streamEventsRoute)
  async stream(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof streamEventsRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Resolved before the response is taken over, so a database failure is still a problem answer.
    const after = input.headers['Last-Event-ID'] ?? input.query.after ?? (await this.streams.head());
    reply.hijack();
    await this.streams.serve(reply.raw, { merchantId, after, types: input.query.types ?? null });
  }
}
