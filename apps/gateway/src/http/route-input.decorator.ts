// `@Input()` hands a controller its request already parsed by the route's own schemas: params,
// query, documented headers, body (with defaults applied), the Idempotency-Key and the Prefer wait.
// Every failure is collected into one 400 before anything runs, so an invalid request writes nothing.
// Strings Postgres cannot store (a NUL character, an unpaired UTF-16 surrogate) are refused here for
// every route, wherever they are in the params, query or body, before any schema or query sees them.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode, FieldError, idempotencyKeySchema } from '@app/contracts';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { fieldErrorsOf, validationFailed } from './problem';
import { unstorableFields } from './unstorable-strings';
import { parsePreferWait } from './prefer-wait.parser';
import { routeSpecOf, RouteSpec } from './route.definition';

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Parsed<S['params']>;
  query: Parsed<S['query']>;
  headers: Parsed<S['headers']>;
  body: Parsed<S['body']>;
  idempotencyKey: S['idempotent'] extends true ? string : undefined;
  /** Seconds to hold the answer (`Prefer: wait=N`), or null. */
  waitSeconds: number | null;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, errors: FieldError[]): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push(...fieldErrorsOf(result.error.issues));
  return undefined;
}

function idempotencyKeyOf(request: FastifyRequest): string {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) {
    throw new AppError(ErrorCode.IdempotencyKeyMissing, 400, 'This command requires an Idempotency-Key header.', [
      { field: 'Idempotency-Key', message: 'required' },
    ]);
  }
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(ErrorCode.IdempotencyKeyInvalid, 400, 'Idempotency-Key must be 1 to 255 printable ASCII characters.', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
    ]);
  }
  return parsed.data;
}

function headersFor(schema: z.ZodObject, request: FastifyRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema.shape)) out[name] = request.headers[name.toLowerCase()];
  return out;
}

export function parseRouteInput(spec: RouteSpec, request: FastifyRequest): RouteInput<RouteSpec> {
  const idempotencyKey = spec.idempotent ? idempotencyKeyOf(request) : undefined;
  const errors: FieldError[] = [];
  unstorableFields(request.params ?? {}, [], errors);
  unstorableFields(request.query ?? {}, [], errors);
  unstorableFields(request.body, [], errors);
  if (errors.length > 0) throw validationFailed(errors);
  const params = parsePart(spec.params, request.params ?? {}, errors);
  const query = parsePart(spec.query, request.query ?? {}, errors);
  const headers = spec.headers ? parsePart(spec.headers, headersFor(spec.headers, request), errors) : undefined;
  const body = parsePart(spec.body, request.body, errors);
  if (errors.length > 0) throw validationFailed(errors);
  const waitSeconds = spec.waitable ? parsePreferWait(request.headers.prefer) : null;
  return { params, query, headers, body, idempotencyKey, waitSeconds } as RouteInput<RouteSpec>;
}

/** The request parsed by the handler's route spec; see RouteInput. */
export const Input = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const spec = routeSpecOf(ctx.getHandler());
  if (!spec) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} has no route spec`);
  return parseRouteInput(spec, ctx.switchToHttp().getRequest<FastifyRequest>());
});
