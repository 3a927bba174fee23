// Carries out a command that came over the bus with the very service methods the HTTP controllers
// call, so validation, idempotency (one key space with HTTP) and outcomes are the same, and answers
// it on the reply stream:
//   accepted / replayed: the operation as HTTP answers it;
//   rejected: the problem details HTTP answers (4xx: auth, validation, 404, 409, 422…).
// A rejected command is answered and done. Anything else (Postgres or Redis down, a bug) is
// thrown, so the transport delivers the command again later; on its last delivery it is answered
// `rejected` 503 before the transport dead-letters it.
import { Inject, Injectable } from '@nestjs/common';
import { AppError, Logger } from '@app/common';
import { BusCommand, BusCommandName, CommandReply, ErrorCode } from '@app/contracts';
import { toOperationView } from '@app/persistence';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { IdempotentOutcome } from '../idempotency/idempotency.service';
import { problemOf } from '../http/problem';
import { OperationCommands } from '../operations/operation-commands.service';
import { OperationsReader } from '../operations/operations.reader';
import { PaymentsService } from '../payments/payments.service';
import { RefundsService } from '../refunds/refunds.service';
import { ReversalsService } from '../reversals/reversals.service';
import { SettlementsService } from '../settlements/settlements.service';
import { isBusCommandName, operationTypeOf, parseBusCommand } from './bus-command.parser';
import { CommandAuthenticator } from './command.authenticator';
import { CommandReplies } from './command-replies.publisher';

/** Deliveries of one command before it is dead-lettered (the transport's `maxDeliveries`). */
export const COMMAND_MAX_DELIVERIES = 5;

const commandIdPattern = /^[\x20-\x7e]{1,255}$/;

export interface ReceivedCommand {
  /** The CloudEvent type it came as (`command.payment.create`). */
  type: string;
  data: Readonly<Record<string, unknown>>;
  /** Stream entry id: the command id when the publisher gave none. */
  messageId: string;
  deliveryCount: number;
}

@Injectable()
export class BusCommands {
  constructor(
    @Inject(CommandAuthenticator) private readonly auth: CommandAuthenticator,
    @Inject(PaymentsService) private readonly payments: PaymentsService,
    @Inject(ReversalsService) private readonly reversals: ReversalsService,
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(SettlementsService) private readonly settlements: SettlementsService,
    @Inject(OperationCommands) private readonly commands: OperationCommands,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(CommandReplies) private readonly replies: CommandReplies,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  async handle(received: ReceivedCommand): Promise<void> {
    const { data } = received;
    const head = {
      commandId: typeof data.commandId === 'string' && commandIdPattern.test(data.commandId) ? data.commandId : received.messageId,
      command: isBusCommandName(data.command) ? data.command : null,
    };
    let merchantId: string | null = null;
    let reply: CommandReply;
    try {
      merchantId = await this.auth.merchantOf(data.apiKey);
      const command = parseBusCommand(received.type, data);
      const outcome = await this.run(merchantId, command);
      const op = await this.reader.get(merchantId, operationTypeOf(command.command), outcome.operationId);
      reply = { ...head, status: outcome.replayed ? 'replayed' : 'accepted', merchantId, operationId: op.id, operation: toOperationView(op) };
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) {
        await this.answerLastAttempt(received, { ...head, merchantId }, err);
        throw err;
      }
      reply = { ...head, status: 'rejected', merchantId, problem: problemOf(err.status, err.code, err.message, err.errors) };
    }
    await this.replies.publish(reply);
    this.logger.info(
      { commandId: reply.commandId, command: reply.command, status: reply.status, merchantId, operationId: reply.operationId, code: reply.problem?.code },
      'bus command answered',
    );
  }

  /**
   * The one place that maps a command to the service method its HTTP route calls. A new bus
   * command is added here (and to BUS_COMMANDS and busCommandSchema in libs/contracts).
   */
  private run(merchantId: string, c: BusCommand): Promise<IdempotentOutcome> {
    switch (c.command) {
      case 'payment.create':
        return this.payments.create(merchantId, c.idempotencyKey, c.body);
      case 'payment.cancel':
        return this.payments.cancel(merchantId, c.idempotencyKey, c.operationId);
      case 'payment.confirm':
        return this.payments.confirm(merchantId, c.idempotencyKey, c.operationId);
      case 'reversal.create':
        return this.reversals.create(merchantId, c.idempotencyKey, c.body);
      case 'reversal.cancel':
        return this.commands.cancel(merchantId, 'reversal', c.idempotencyKey, c.operationId);
      case 'refund.create':
        return this.refunds.create(merchantId, c.idempotencyKey, c.body);
      case 'refund.cancel':
        return this.commands.cancel(merchantId, 'refund', c.idempotencyKey, c.operationId);
      case 'settlement.create':
        return this.settlements.create(merchantId, c.idempotencyKey, c.body);
      default:
        return unreachable(c);
    }
  }

  /**
   * On the last delivery the transport dead-letters the command after this throw; its sender is
   * told now, since no other answer will come. Publishing it again with the same idempotency key
   * is safe: it replays what was done, or does it.
   */
  private async answerLastAttempt(
    received: ReceivedCommand,
    head: { commandId: string; command: BusCommandName | null; merchantId: string | null },
    err: unknown,
  ): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn({ commandId: head.commandId, command: head.command, delivery: received.deliveryCount, err: reason }, 'bus command failed');
    if (received.deliveryCount < COMMAND_MAX_DELIVERIES) return;
    const problem = problemOf(
      503,
      ErrorCode.ServiceUnavailable,
      `The command could not be carried out after ${received.deliveryCount} attempts and was set aside. Publish it again with the same idempotency key.`,
    );
    await this.replies.publish({ ...head, status: 'rejected', problem }).catch((publishErr: unknown) => {
      this.logger.error({ commandId: head.commandId, err: publishErr instanceof Error ? publishErr.message : String(publishErr) }, 'bus command: no answer published');
    });
  }
}

function unreachable(c: never): never {
  throw new Error(`no service for bus command ${JSON.stringify((c as { command?: unknown }).command)}`);
}
