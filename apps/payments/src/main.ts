// The payments worker process (`npm run start:payments`).
import 'reflect-metadata';
import { startFailureLine } from '@app/jobs';
import { runWorkerProcess } from '@app/workers';
import { createPaymentsApp, PAYMENTS_DEFAULT_PORT } from './payments.app';

runWorkerProcess(PAYMENTS_DEFAULT_PORT, () => createPaymentsApp()).catch((err: unknown) => {
  process.stderr.write(`${startFailureLine('payments worker', err)}\n`);
  process.exit(1);
});
