// The queue dashboard at /v1/admin/queues (bull-board), behind the admin key.
import { Module } from '@nestjs/common';
import { QueuesDashboardController } from './queues-dashboard.controller';
import { QueuesDashboard } from './queues-dashboard.service';

@Module({ controllers: [QueuesDashboardController], providers: [QueuesDashboard] })
export class QueuesDashboardModule {}
