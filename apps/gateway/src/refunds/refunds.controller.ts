// Refund routes: parse (done by @Input), call the service, answer.
import { Controller, Inject, Res } from '@nestjs/common';
import type { OperationView } from '@app/contracts';
import { toOperationView } from '@app/persistence';
import type { FastifyReply } from 'fastify';
import { MerchantId } from '../auth/principal';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { CommandResponder } from '../operations/command.responder';
import { OperationCommands } from '../operations/operation-commands.service';
import { OperationPage, OperationsReader } from '../operations/operations.reader';
import { cancelRefundRoute, createRefundRoute, getRefundRoute, listRefundsRoute } from './refunds.routes';
import { RefundsService } from './refunds.service';

@Controller()
export class RefundsController {
  constructor(
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(OperationCommands) private readonly commands: OperationCommands,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(CommandResponder) private readonly responder: CommandResponder,
  ) {}

  @Endpoint(createRefundRoute)
  async create(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof createRefundRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.refunds.create(merchantId, input.idempotencyKey, input.body);
    await this.responder.send(reply, { merchantId, type: 'refund', ...outcome, waitSeconds: input.waitSeconds });
  }

  @Endpoint(listRefundsRoute)
  async list(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listRefundsRoute>): Promise<OperationPage> {
    return this.reader.list(merchantId, 'refund', input.query);
  }

  @Endpoint(getRefundRoute)
  async get(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof getRefundRoute>): Promise<OperationView> {
    return toOperationView(await this.reader.get(merchantId, 'refund', input.params.id));
  }

  @Endpoint(cancelRefundRoute)
  async cancel(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof cancelRefundRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.commands.cancel(merchantId, 'refund', input.idempotencyKey, input.params.id);
    await this.responder.send(reply, { merchantId, type: 'refund', ...outcome, waitSeconds: input.waitSeconds });
  }
}
