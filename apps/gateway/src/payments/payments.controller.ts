// Payment routes: parse (done by @Input), call the service, answer.
import { Controller, Inject, Res } from '@nestjs/common';
import type { OperationView, PaymentBatchView } from '@app/contracts';
import { toOperationView } from '@app/persistence';
import type { FastifyReply } from 'fastify';
import { MerchantId } from '../auth/principal';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { CommandResponder } from '../operations/command.responder';
import { OperationPage, OperationsReader } from '../operations/operations.reader';
import {
  cancelPaymentRoute,
  confirmPaymentRoute,
  createPaymentBatchRoute,
  createPaymentRoute,
  getPaymentBatchRoute,
  getPaymentRoute,
  listPaymentsRoute,
} from './payments.routes';
import { PaymentsService } from './payments.service';

@Controller()
export class PaymentsController {
  constructor(
    @Inject(PaymentsService) private readonly payments: PaymentsService,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(CommandResponder) private readonly responder: CommandResponder,
  ) {}

  @Endpoint(createPaymentRoute)
  async create(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof createPaymentRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.payments.create(merchantId, input.idempotencyKey, input.body);
    await this.responder.send(reply, { merchantId, type: 'payment', ...outcome, waitSeconds: input.waitSeconds });
  }

  @Endpoint(listPaymentsRoute)
  async list(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listPaymentsRoute>): Promise<OperationPage> {
    return this.reader.list(merchantId, 'payment', input.query);
  }

  @Endpoint(getPaymentRoute)
  async get(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof getPaymentRoute>): Promise<OperationView> {
    return toOperationView(await this.reader.get(merchantId, 'payment', input.params.id));
  }

  @Endpoint(cancelPaymentRoute)
  async cancel(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof cancelPaymentRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.payments.cancel(merchantId, input.idempotencyKey, input.params.id);
    await this.responder.send(reply, { merchantId, type: 'payment', ...outcome, waitSeconds: input.waitSeconds });
  }

  @Endpoint(confirmPaymentRoute)
  async confirm(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof confirmPaymentRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.payments.confirm(merchantId, input.idempotencyKey, input.params.id);
    await this.responder.send(reply, { merchantId, type: 'payment', ...outcome, waitSeconds: input.waitSeconds });
  }

  @Endpoint(createPaymentBatchRoute)
  async createBatch(
    @MerchantId() merchantId: string,
    @Input() input: RouteInput<typeof createPaymentBatchRoute>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { replayed, batch } = await this.payments.createBatch(merchantId, input.idempotencyKey, input.body);
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    reply.header('Location', `/v1/payment-batches/${batch.id}`);
    await reply.status(202).send(batch);
  }

  @Endpoint(getPaymentBatchRoute)
  async getBatch(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof getPaymentBatchRoute>): Promise<PaymentBatchView> {
    return this.payments.getBatch(merchantId, input.params.id);
  }
}
