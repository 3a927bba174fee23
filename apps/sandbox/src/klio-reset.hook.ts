// `POST /sandbox/reset` forgets the Klio account's tasks, tokens and added devices too: a Fastify
// hook on that route's successful answer, so the shared reset route needs no Klio knowledge.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KlioSandboxService } from './klio-sandbox.service';
import { pathOf } from './wire-hooks';

@Injectable()
export class KlioResetHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly klio: KlioSandboxService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (request.method === 'POST' && pathOf(request.url) === '/sandbox/reset' && reply.statusCode === 200) this.klio.clear();
      return payload;
    });
  }
}
