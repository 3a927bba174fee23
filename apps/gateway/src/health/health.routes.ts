// Liveness, readiness and metrics: no auth, for the orchestrator and Prometheus.
import { z } from 'zod';
import { defineRoute } from '../http/route.definition';

const check = z.object({ status: z.enum(['up', 'down']), error: z.string().optional() });
export const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: check, redis: check }),
});

export const liveRoute = defineRoute({
  method: 'GET',
  path: '/health/live',
  operationId: 'live',
  summary: 'The process is up',
  tag: 'operations',
  auth: 'none',
  responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
});

export const readyRoute = defineRoute({
  method: 'GET',
  path: '/health/ready',
  operationId: 'ready',
  summary: 'Postgres and Redis answer',
  tag: 'operations',
  auth: 'none',
  responses: {
    200: { description: 'Ready', schema: readinessSchema },
    503: { description: 'Postgres or Redis does not answer; the checks say which', schema: readinessSchema },
  },
});

export const metricsRoute = defineRoute({
  method: 'GET',
  path: '/metrics',
  operationId: 'metrics',
  summary: 'Prometheus metrics',
  tag: 'operations',
  auth: 'none',
  responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain; version=0.0.4' } },
});
