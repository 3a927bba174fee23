// Bounds graceful shutdown. By the time the HTTP server closes, event streams and waiting commands
// have ended; requests still in flight get a grace period (at most HTTP_DRAIN_MS, less when
// SHUTDOWN_GRACE_MS leaves less after its closing reserve), then any connection still open is
// closed, so a client that keeps a connection busy cannot hold the process open.
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { drainTimeLeftMs } from '@app/jobs';
import type { Server } from 'node:http';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

export const HTTP_DRAIN_MS = 10_000;

@Injectable()
export class HttpDrain implements BeforeApplicationShutdown, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  beforeApplicationShutdown(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    this.timer = setTimeout(() => server.closeAllConnections(), Math.min(HTTP_DRAIN_MS, drainTimeLeftMs(this.config.SHUTDOWN_GRACE_MS)));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
