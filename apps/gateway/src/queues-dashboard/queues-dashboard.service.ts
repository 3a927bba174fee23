// bull-board on a Fastify instance of its own (in-process.board.ts), never listening: the gateway's admin routes
// (already authorized by the AuthGuard) hand each request to it in-process with `inject`, so the
// dashboard has no route, auth or body handling of its own in the gateway.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { createDeliveryQueue } from '@app/webhooks';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest, InjectOptions } from 'fastify';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { OperationQueues } from '../infra/operation-queues.service';
import { InProcessBoard } from './in-process.board';
import { QUEUES_DASHBOARD_PATH } from './queues-dashboard.routes';

/** Request headers passed to the dashboard; never the Authorization header. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-encoding', 'accept-language', 'content-type', 'if-none-match', 'if-modified-since'];
/** Answer headers passed back. */
const FORWARDED_ANSWER_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified', 'content-encoding', 'vary'];

@Injectable()
export class QueuesDashboard implements OnApplicationShutdown {
  private server: Promise<FastifyInstance> | null = null;
  private deliveries: Queue | null = null;

  // The gateway's providers live in its root module; they are looked up as the webhooks module does.
  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  /** Answers `request` (already authorized) from the dashboard. */
  async forward(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const server = await (this.server ??= this.build());
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = request.body !== undefined && request.body !== null;
    const options: InjectOptions = {
      method: request.method as NonNullable<InjectOptions['method']>,
      url: request.url,
      headers,
      ...(hasBody ? { payload: JSON.stringify(request.body) } : {}),
    };
    const answer = await server.inject(options);
    for (const name of FORWARDED_ANSWER_HEADERS) {
      const value = answer.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    await reply.status(answer.statusCode).send(answer.rawPayload);
  }

  private async build(): Promise<FastifyInstance> {
    const queues = this.moduleRef.get(OperationQueues, { strict: false });
    const config = this.moduleRef.get<GatewayConfig>(GATEWAY_CONFIG, { strict: false });
    this.deliveries = createDeliveryQueue(queues.redis, config.BULLMQ_PREFIX);
    const operationQueues = [queues.queueFor('payment'), queues.queueFor('reversal'), queues.queueFor('settlement')];
    const adapter = new InProcessBoard(QUEUES_DASHBOARD_PATH);
    createBullBoard({
      queues: [...operationQueues, this.deliveries].map((q) => new BullMQAdapter(q)),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'ecr-bridge queues' } },
    });
    return adapter.server();
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await (await server).close();
    await this.deliveries?.close().catch(() => undefined);
  }
}
