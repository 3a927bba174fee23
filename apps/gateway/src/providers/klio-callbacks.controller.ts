// Klio callbacks: check the shared token when one is configured, then promote the job of each
// task's operation that is of Klio and not final. Unknown or foreign ids are ignored in silence.
import { Controller, Inject } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode, isFinal, OperationStatus, OperationType } from '@app/contracts';
import { DataSource } from 'typeorm';
import { secretsEqual } from '../auth/api-key.codec';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { OperationQueues } from '../infra/operation-queues.service';
import { klioCallbackRoute } from './klio-callbacks.routes';

@Controller()
export class KlioCallbacksController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OperationQueues) private readonly queues: OperationQueues,
  ) {}

  @Endpoint(klioCallbackRoute)
  async callback(@Input() input: RouteInput<typeof klioCallbackRoute>): Promise<void> {
    const token = this.config.KLIO_CALLBACK_TOKEN;
    if (token && !secretsEqual(input.query.token ?? '', token)) {
      throw new AppError(ErrorCode.Unauthorized, 401, 'The callback token is missing or wrong.');
    }
    const ids = [...new Set((Array.isArray(input.body) ? input.body : [input.body]).map((t) => t.originID))];
    const rows = (await this.dataSource.query(`SELECT id, type, status FROM operations WHERE id = ANY($1) AND provider = 'klio'`, [ids])) as {
      id: string;
      type: OperationType;
      status: OperationStatus;
    }[];
    for (const row of rows) {
      if (!isFinal(row.status)) await this.queues.ensure(row.type, row.id, true);
    }
  }
}
