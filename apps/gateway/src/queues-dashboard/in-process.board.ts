// A bull-board server adapter for a Fastify instance that never listens: the board's page, its
// files and its JSON API as routes of that instance, reached through `inject` by the gateway's
// admin routes. Written here instead of @bull-board/fastify so the gateway loads no
// @fastify/static, @fastify/view or EJS (the view only substitutes values; see renderView).
// Only reads (GET) and queue actions (PUT) are routed: jobs carry an operation id only and
// Postgres holds the truth, so adding or editing jobs (POST, PATCH) from a dashboard is not offered.
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type {
  AppControllerRoute,
  AppViewRoute,
  BullBoardQueues,
  ControllerHandlerReturnType,
  IServerAdapter,
  UIConfig,
} from '@bull-board/api/dist/types';
import fastify, { FastifyInstance } from 'fastify';

const ROUTED_METHODS = new Set(['GET', 'PUT']);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * bull-board's view uses only `<%= name %>` (escaped) and `<%- name %>` (raw, a JSON string the
 * board already made safe for a script tag). Anything else in it is an error, not silently kept.
 */
export function renderView(template: string, params: Record<string, string | undefined>): string {
  const html = template.replace(/<%([=-])\s*([A-Za-z_$][\w$]*)\s*%>/g, (_m, kind: string, name: string) => {
    const value = params[name] ?? '';
    return kind === '-' ? value : value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
  });
  if (html.includes('<%')) throw new Error('the bull-board view uses a template construct this renderer does not support');
  return html;
}

export class InProcessBoard implements IServerAdapter {
  private queues: BullBoardQueues | null = null;
  private viewPath = '';
  private statics: { route: string; path: string } | null = null;
  private entry: AppViewRoute | null = null;
  private errorHandler: ((error: Error) => ControllerHandlerReturnType) | null = null;
  private apiRoutes: AppControllerRoute[] = [];
  private uiConfig: UIConfig = {};
  private template: string | null = null;

  constructor(private readonly basePath: string) {}

  setQueues(queues: BullBoardQueues): this {
    this.queues = queues;
    return this;
  }

  setViewsPath(viewPath: string): this {
    this.viewPath = viewPath;
    return this;
  }

  setStaticPath(route: string, path: string): this {
    this.statics = { route, path };
    return this;
  }

  setEntryRoute(route: AppViewRoute): this {
    this.entry = route;
    return this;
  }

  setErrorHandler(handler: (error: Error) => ControllerHandlerReturnType): this {
    this.errorHandler = handler;
    return this;
  }

  setApiRoutes(routes: AppControllerRoute[]): this {
    this.apiRoutes = routes;
    return this;
  }

  setUIConfig(config: UIConfig = {}): this {
    this.uiConfig = config;
    return this;
  }

  /** The board as a Fastify instance, ready for `inject`. Call after createBullBoard. */
  async server(): Promise<FastifyInstance> {
    const { queues, statics, entry, errorHandler } = this;
    if (!queues || !statics || !entry || !errorHandler || !this.viewPath) throw new Error('createBullBoard has not configured this adapter');
    const app = fastify({ logger: false });
    await app.register(
      async (board) => {
        const view = join(this.viewPath, entry.handler({ basePath: this.basePath, uiConfig: this.uiConfig }).name);
        for (const url of [entry.route].flat()) {
          board.get(url, async (_request, reply) => {
            const { params } = entry.handler({ basePath: this.basePath, uiConfig: this.uiConfig });
            const html = renderView((this.template ??= await readFile(view, 'utf8')), params);
            return reply.type('text/html; charset=utf-8').send(html);
          });
        }

        const root = resolve(statics.path);
        board.get(`${statics.route}/*`, async (request, reply) => {
          const wanted = (request.params as { '*': string })['*'];
          const file = resolve(root, wanted);
          const type = CONTENT_TYPES[extname(file)];
          if (!file.startsWith(root + sep) || !type) return reply.status(404).send({ error: 'not found' });
          try {
            const body = await readFile(file);
            return reply.type(type).header('cache-control', 'public, max-age=3600').send(body);
          } catch {
            return reply.status(404).send({ error: 'not found' });
          }
        });

        for (const route of this.apiRoutes) {
          const methods = [route.method].flat().map((m) => m.toUpperCase()).filter((m) => ROUTED_METHODS.has(m));
          if (methods.length === 0) continue;
          for (const url of [route.route].flat()) {
            board.route({
              method: methods,
              url,
              handler: async (request, reply) => {
                const answer = await route.handler({
                  queues,
                  uiConfig: this.uiConfig,
                  params: (request.params ?? {}) as Record<string, string>,
                  query: (request.query ?? {}) as Record<string, string>,
                  body: (request.body ?? {}) as Record<string, unknown>,
                  headers: request.headers as Record<string, string | undefined>,
                });
                return reply.status(answer.status ?? 200).send(answer.body);
              },
            });
          }
        }

        board.setErrorHandler((error, _request, reply) => {
          const answer = errorHandler(error instanceof Error ? error : new Error(String(error)));
          return reply.status(answer.status ?? 500).send(answer.body);
        });
      },
      { prefix: this.basePath },
    );
    await app.ready();
    return app;
  }
}
