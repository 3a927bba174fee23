import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payment batches (Klio multi-task): the members of a batch carry `request.batch.id`; the worker
 * that sends the batch locks them by it, and the gateway reads a batch by it. Few operations
 * belong to a batch, so the index is partial.
 */
export class PaymentBatches1796100000000 implements MigrationInterface {
  name = 'PaymentBatches1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX operations_batch_idx ON operations ((request -> 'batch' ->> 'id')) WHERE request ? 'batch'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX operations_batch_idx`);
  }
}
