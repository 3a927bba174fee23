// Klio SmartPos calls back when a task changes. A callback is a hint, never the truth: it only
// makes the worker look at the task now instead of at its next poll.
import { z } from 'zod';
import { defineRoute } from '../http/route.definition';

const originId = z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'originID must be printable ASCII');
/** The task as Klio sends it: only `originID` (our operation id) is read; the rest is ignored. */
const taskSchema = z.looseObject({ originID: originId });

export const klioCallbackRoute = defineRoute({
  method: 'POST',
  path: '/v1/providers/klio/callbacks',
  operationId: 'klioCallback',
  summary: 'Klio SmartPos task callback (a hint to look at the task now)',
  description:
    'Klio posts a task (or a list of tasks) here when its status changes. The gateway never takes the callback as the outcome: it makes the worker look the task up at once. When `KLIO_CALLBACK_TOKEN` is set, the `token` query parameter must carry it. Answers `204` whether or not the task is known, so the answer tells nothing about operations.',
  tag: 'providers',
  auth: 'none',
  query: z.strictObject({ token: z.string().min(1).max(200).optional() }),
  body: z.union([taskSchema, z.array(taskSchema).min(1).max(50)]),
  responses: { 204: { description: 'Taken as a hint' } },
  problems: [401],
});
