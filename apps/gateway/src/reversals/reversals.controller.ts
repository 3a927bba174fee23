// Reversal routes: parse (done by @Input), call the service, answer.
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
import { cancelReversalRoute, createReversalRoute, getReversalRoute, listReversalsRoute } from './reversals.routes';
import { ReversalsService } from './reversals.service';

@Controller()
export class ReversalsController {
  constructor(
    @Inject(ReversalsService) private readonly reversals: ReversalsService,
    @Inject(OperationCommands) private readonly commands: OperationCommands,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(CommandResponder) private readonly responder: CommandResponder,
  ) {}

  @Endpoint(createReversalRoute)
  async create(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof createReversalRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.reversals.create(merchantId, input.idempotencyKey, input.body);
    await this.responder.send(reply, { merchantId, type: 'reversal', ...outcome, waitSeconds: input.waitSeconds });
  }

  @Endpoint(listReversalsRoute)
  async list(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listReversalsRoute>): Promise<OperationPage> {
    return this.reader.list(merchantId, 'reversal', input.query);
  }

  @Endpoint(getReversalRoute)
  async get(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof getReversalRoute>): Promise<OperationView> {
    return toOperationView(await this.reader.get(merchantId, 'reversal', input.params.id));
  }

  @Endpoint(cancelReversalRoute)
  async cancel(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof cancelReversalRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.commands.cancel(merchantId, 'reversal', input.idempotencyKey, input.params.id);
    await this.responder.send(reply, { merchantId, type: 'reversal', ...outcome, waitSeconds: input.waitSeconds });
  }
}
