// Headers every gateway answer carries, whatever produced it (a handler, the problem filter, the
// not-found handler, the event stream writing its own head): set on the raw response as each
// request arrives, so Node merges them into whatever head is written later. A header a handler sets
// itself (the event stream's Cache-Control, the dashboard's caching of its files) takes precedence.
//
// No CORS: the gateway answers no Access-Control-* header and has no OPTIONS routes, so a browser
// on another origin can neither read its answers nor pass a preflight (docs/security.md says why).
import type { FastifyInstance } from 'fastify';
import { QUEUES_DASHBOARD_PATH } from '../queues-dashboard/queues-dashboard.routes';

/** API answers: nothing may be loaded, framed or cached. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** The HTML pages (Swagger UI, the queue dashboard) load their own scripts and styles: only never framed. */
const PAGE_CSP = "frame-ancestors 'none'";

function isPage(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/docs' || path.startsWith('/docs/') || path === QUEUES_DASHBOARD_PATH || path.startsWith(`${QUEUES_DASHBOARD_PATH}/`);
}

export function installSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of Object.entries(API_HEADERS)) reply.raw.setHeader(name, value);
    if (isPage(request.url)) reply.raw.setHeader('Content-Security-Policy', PAGE_CSP);
    reply.raw.removeHeader('X-Powered-By');
    done();
  });
}
