// One declaration per route: method, path, auth, the zod schemas of its inputs and outputs, and
// which protocol headers it takes. The same declaration maps the route in Nest, validates the
// request (route-input.decorator.ts), authorizes it (auth.guard.ts) and becomes its OpenAPI entry
// (openapi.builder.ts), so the document cannot drift from what the gateway does.
import { applyDecorators, HttpCode, RequestMapping, RequestMethod, SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type RouteAuth = 'admin' | 'merchant' | 'none';
export type ResponseHeaderName = 'Location' | 'Idempotent-Replayed' | 'Preference-Applied';

export interface ResponseSpec {
  readonly description: string;
  /** JSON body; omitted for empty bodies and non-JSON bodies. */
  readonly schema?: z.ZodType;
  /** Content type of a non-JSON body (HTML, JavaScript, event streams, Prometheus text…). */
  readonly contentType?: string;
  readonly headers?: readonly ResponseHeaderName[];
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** OpenAPI-style path, `{name}` for parameters. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly auth: RouteAuth;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Request headers beyond the protocol ones below; keys are header names as documented. */
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Requires `Idempotency-Key`. */
  readonly idempotent?: boolean;
  /** Honours `Prefer: wait=N`. */
  readonly waitable?: boolean;
  /** Success answers by status. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Problem statuses this route answers beyond the ones every route of its kind answers. */
  readonly problems?: readonly number[];
}

export const ROUTE_SPEC = Symbol('ROUTE_SPEC');

/** Keeps the literal types of a spec, so RouteInput<typeof spec> knows its schemas. */
export function defineRoute<const S extends RouteSpec>(spec: S): S {
  return spec;
}

export function nestPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** Maps the method to its route and records the spec for validation, auth and the document. */
export function Endpoint(spec: RouteSpec): MethodDecorator {
  const statuses = Object.keys(spec.responses).map(Number);
  return applyDecorators(
    SetMetadata(ROUTE_SPEC, spec),
    RequestMapping({ path: nestPath(spec.path), method: RequestMethod[spec.method] }),
    HttpCode(Math.min(...statuses)),
  );
}

export function routeSpecOf(handler: object): RouteSpec | undefined {
  return Reflect.getMetadata(ROUTE_SPEC, handler) as RouteSpec | undefined;
}
