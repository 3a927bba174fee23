// Starts the sandbox in-process: tests call startSandbox({ port: 0, … }) and talk to the
// returned URL over real HTTP. NestJS on Fastify: Nest controllers keep the routes readable,
// while the request log, faults and body parsing are plain Fastify hooks because they must act
// on every request before (and regardless of) any route.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { installBodyParsers } from './body-parsers';
import { FaultInjector } from './fault-injection';
import { installRequestMetrics, SandboxMetrics } from './ops.controller';
import { ProviderExceptionFilter } from './provider-exception.filter';
import { RequestLog } from './request-log';
import { SandboxModule } from './sandbox.module';
import { resolveSandboxOptions, type SandboxOptions } from './sandbox.options';
import { installWireHooks, isProviderPath, PendingDelays } from './wire-hooks';

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const resolved = resolveSandboxOptions(options);
  // forceCloseConnections: close() must not wait for answers the sandbox holds on purpose (09).
  const adapter = new FastifyAdapter({ forceCloseConnections: true, bodyLimit: 1_048_576 });
  const app = await NestFactory.create<NestFastifyApplication>(SandboxModule.forOptions(resolved), adapter, {
    bodyParser: false,
    logger: resolved.logLevels,
    abortOnError: false,
  });
  try {
    const fastify = app.getHttpAdapter().getInstance();
    installBodyParsers(fastify);
    installWireHooks(fastify, app.get(RequestLog), app.get(FaultInjector), app.get(PendingDelays));
    installRequestMetrics(fastify, app.get(SandboxMetrics), isProviderPath);
    app.useGlobalFilters(new ProviderExceptionFilter());
    await app.listen(resolved.port, resolved.host);
  } catch (error) {
    await app.close();
    throw error;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost(resolved.host)}:${port}`,
    port,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}
