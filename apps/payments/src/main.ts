// The payments worker process (`npm run start:payments`).
import 'reflect-metadata';
import { runWorkerProcess } from '@app/workers';
import { createPaymentsApp, PAYMENTS_DEFAULT_PORT } from './payments.app';

runWorkerProcess(PAYMENTS_DEFAULT_PORT, () => createPaymentsApp()).catch((err: unknown) => {
  process.stderr.write(`payments worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
