// Health and metrics routes.
import { Controller, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Endpoint } from '../http/route.definition';
import { liveRoute, metricsRoute, readyRoute } from './health.routes';
import { HealthService } from './health.service';
import { HttpMetrics } from './http.metrics';

@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(HttpMetrics) private readonly metrics: HttpMetrics,
  ) {}

  @Endpoint(liveRoute)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Endpoint(readyRoute)
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const readiness = await this.health.readiness();
    await reply.status(readiness.status === 'ready' ? 200 : 503).send(readiness);
  }

  @Endpoint(metricsRoute)
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('Content-Type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
