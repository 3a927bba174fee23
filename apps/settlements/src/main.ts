// The settlements worker process (`node dist/apps/settlements/src/main.js`).
import 'reflect-metadata';
import { startFailureLine } from '@app/jobs';
import { runWorkerProcess } from '@app/workers';
import { createSettlementsApp, SETTLEMENTS_DEFAULT_PORT } from './settlements.app';

runWorkerProcess(SETTLEMENTS_DEFAULT_PORT, () => createSettlementsApp()).catch((err: unknown) => {
  process.stderr.write(`${startFailureLine('settlements worker', err)}\n`);
  process.exit(1);
});
