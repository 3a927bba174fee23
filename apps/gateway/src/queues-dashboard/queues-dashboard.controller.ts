// The queue dashboard's routes: admin only (the AuthGuard checks the admin key on each), every
// request handed to bull-board as is.
import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Endpoint } from '../http/route.definition';
import { queuesDashboardGetRoute, queuesDashboardPutRoute, queuesDashboardRoute } from './queues-dashboard.routes';
import { QueuesDashboard } from './queues-dashboard.service';

@Controller()
export class QueuesDashboardController {
  constructor(@Inject(QueuesDashboard) private readonly dashboard: QueuesDashboard) {}

  @Endpoint(queuesDashboardRoute)
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.dashboard.forward(request, reply);
  }

  @Endpoint(queuesDashboardGetRoute)
  read(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.dashboard.forward(request, reply);
  }

  @Endpoint(queuesDashboardPutRoute)
  act(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.dashboard.forward(request, reply);
  }
}
