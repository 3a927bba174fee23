// The queue dashboard (bull-board) under /v1/admin/queues: its page, its files and its JSON API,
// all admin routes. Documented as such so the OpenAPI document still lists every served route.
import { defineRoute, HttpMethod } from '../http/route.definition';

export const QUEUES_DASHBOARD_PATH = '/v1/admin/queues';

export const queuesDashboardRoute = defineRoute({
  method: 'GET',
  path: QUEUES_DASHBOARD_PATH,
  operationId: 'queuesDashboard',
  summary: 'Queue dashboard (bull-board) for the payments, reversals, settlements and webhook-deliveries queues',
  tag: 'admin',
  auth: 'admin',
  responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
});

function dashboardRoute<M extends HttpMethod>(method: M, operationId: string, summary: string) {
  return defineRoute({
    method,
    path: `${QUEUES_DASHBOARD_PATH}/*`,
    operationId,
    summary,
    description: 'Served by bull-board; its paths and answers are its own and may change with its version.',
    tag: 'admin',
    auth: 'admin',
    responses: { 200: { description: 'A dashboard file or a bull-board API answer', contentType: 'application/octet-stream' } },
    problems: [404],
  });
}

export const queuesDashboardGetRoute = dashboardRoute('GET', 'queuesDashboardRead', 'Queue dashboard pages, files and queue reads');
export const queuesDashboardPutRoute = dashboardRoute('PUT', 'queuesDashboardAct', 'Queue dashboard actions (retry, promote, clean, pause, resume); adding or editing jobs is not offered');
