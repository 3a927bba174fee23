// How every command answers: optionally hold for `Prefer: wait=N`, then 200 when the operation is
// final or 202 while it is in flight, with its URL, `Idempotent-Replayed: true` for a replay and
// `Preference-Applied` when the wait was honoured.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@app/common';
import { isFinal, OperationStatus, OperationType } from '@app/contracts';
import { toOperationView } from '@app/persistence';
import type { FastifyReply } from 'fastify';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { OperationsReader } from './operations.reader';
import { OperationWaiter } from './operation-waiter.service';

export const OPERATION_PATH: Readonly<Record<OperationType, string>> = Object.freeze({
  payment: '/v1/payments',
  reversal: '/v1/reversals',
  refund: '/v1/refunds',
  settlement: '/v1/settlements',
});

export interface CommandAnswer {
  merchantId: string;
  type: OperationType;
  operationId: string;
  replayed: boolean;
  waitSeconds: number | null;
}

@Injectable()
export class CommandResponder {
  constructor(
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(OperationWaiter) private readonly waiter: OperationWaiter,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async send(reply: FastifyReply, answer: CommandAnswer): Promise<void> {
    this.logger.info(
      { reqId: reply.request.id, operationId: answer.operationId, type: answer.type, merchantId: answer.merchantId, replayed: answer.replayed },
      'command accepted',
    );
    let op = await this.reader.get(answer.merchantId, answer.type, answer.operationId);
    if (answer.waitSeconds !== null) {
      if (!isFinal(op.status as OperationStatus)) {
        const gone = new AbortController();
        const onClose = () => gone.abort();
        reply.raw.once('close', onClose);
        try {
          await this.waiter.waitUntilFinal(op.id, answer.waitSeconds * 1000, gone.signal);
        } finally {
          reply.raw.off('close', onClose);
        }
        if (gone.signal.aborted && reply.raw.destroyed) return; // the client left; nobody to answer
        op = await this.reader.get(answer.merchantId, answer.type, answer.operationId);
      }
      reply.header('Preference-Applied', `wait=${answer.waitSeconds}`);
    }
    if (answer.replayed) reply.header('Idempotent-Replayed', 'true');
    reply.header('Location', `${OPERATION_PATH[answer.type]}/${op.id}`);
    await reply.status(isFinal(op.status as OperationStatus) ? 200 : 202).send(toOperationView(op));
  }
}
