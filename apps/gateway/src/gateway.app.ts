// Builds the gateway application (not listening yet): configuration from the environment plus
// `overrides`, Fastify with a 64 KiB JSON-only body parser, security headers on every answer,
// metrics, and the Nest module.
// Tests start it in-process with `app.listen(0, '127.0.0.1')`; main.ts runs it as a service.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, createLogger, loadConfig } from '@app/common';
import { BODY_LIMIT_BYTES } from './gateway.config';
import { NestPinoLogger } from './gateway.logger';
import { connectCommandBus, startCommandBus } from './bus/command-bus.server';
import { GatewayModule } from './gateway.module';
import { HttpMetrics } from './health/http.metrics';
import { problemClientErrorHandler, problemFrameworkErrors } from './http/early-errors';
import { registerJsonBodyParser } from './http/json-body.parser';
import { installSecurityHeaders } from './security/security-headers';

export interface RegisteredRoute {
  method: string;
  url: string;
}

const registeredRoutes = new WeakMap<NestFastifyApplication, RegisteredRoute[]>();

export async function createGatewayApp(overrides: Partial<AppConfig> = {}): Promise<NestFastifyApplication> {
  const config: AppConfig = { ...loadConfig(), ...overrides };
  const logger = createLogger('gateway', config.LOG_LEVEL);
  if (!config.ADMIN_API_KEY) logger.warn('ADMIN_API_KEY is not set: every admin route answers 401');

  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    exposeHeadRoutes: false,
    trustProxy: config.TRUST_PROXY,
    clientErrorHandler: problemClientErrorHandler,
    frameworkErrors: problemFrameworkErrors,
  });
  const fastify = adapter.getInstance();
  const routes: RegisteredRoute[] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  installSecurityHeaders(fastify);
  registerJsonBodyParser(fastify);
  const metrics = new HttpMetrics();
  metrics.install(fastify, logger);

  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, { logger, metrics }), adapter, {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  connectCommandBus(app, config);
  await app.init();
  startCommandBus(app, logger);
  registeredRoutes.set(app, routes);
  return app;
}

/** Every route Fastify registered for this app (what the OpenAPI document must describe). */
export function gatewayRoutes(app: NestFastifyApplication): readonly RegisteredRoute[] {
  return registeredRoutes.get(app) ?? [];
}
