// Collects the route spec of every controller method mapped in this app and builds the document
// once. A mapped method without a spec fails the start: an undocumented route cannot ship.
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { routeSpecOf, RouteSpec } from '../http/route.definition';
import { buildOpenApi, OpenApiDocument } from './openapi.builder';

const PATH_METADATA = 'path';

@Injectable()
export class OpenApiService implements OnModuleInit {
  private document: OpenApiDocument | null = null;
  private routes: RouteSpec[] = [];

  constructor(@Inject(DiscoveryService) private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const routes: RouteSpec[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const proto = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (!proto) continue;
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (name === 'constructor') continue;
        const handler = (proto as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const spec = routeSpecOf(handler);
        if (spec) routes.push(spec);
        else if (Reflect.getMetadata(PATH_METADATA, handler) !== undefined) {
          throw new Error(`${wrapper.name}.${name} is mapped without a route spec (use @Endpoint)`);
        }
      }
    }
    this.routes = routes;
  }

  get(): OpenApiDocument {
    this.document ??= buildOpenApi(this.routes, {
      title: 'ecr-bridge gateway',
      version: '1',
      description:
        'Connects cash registers to card and QR payment terminals. Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; an unknown route answers 404 `REQUEST.ROUTE_NOT_FOUND`.',
    });
    return this.document;
  }
}
