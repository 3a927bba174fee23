// Settlement routes: parse (done by @Input), call the service, answer.
import { Controller, Inject, Res } from '@nestjs/common';
import type { OperationView } from '@app/contracts';
import { toOperationView } from '@app/persistence';
import type { FastifyReply } from 'fastify';
import { MerchantId } from '../auth/principal';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { CommandResponder } from '../operations/command.responder';
import { OperationPage, OperationsReader } from '../operations/operations.reader';
import { createSettlementRoute, getSettlementRoute, listSettlementsRoute } from './settlements.routes';
import { SettlementsService } from './settlements.service';

@Controller()
export class SettlementsController {
  constructor(
    @Inject(SettlementsService) private readonly settlements: SettlementsService,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(CommandResponder) private readonly responder: CommandResponder,
  ) {}

  @Endpoint(createSettlementRoute)
  async create(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof createSettlementRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.settlements.create(merchantId, input.idempotencyKey, input.body);
    await this.responder.send(reply, { merchantId, type: 'settlement', ...outcome, waitSeconds: input.waitSeconds });
  }

  @Endpoint(listSettlementsRoute)
  async list(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listSettlementsRoute>): Promise<OperationPage> {
    return this.reader.list(merchantId, 'settlement', input.query);
  }

  @Endpoint(getSettlementRoute)
  async get(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof getSettlementRoute>): Promise<OperationView> {
    return toOperationView(await this.reader.get(merchantId, 'settlement', input.params.id));
  }
}
