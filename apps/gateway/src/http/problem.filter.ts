// The ONE place errors become answers: every failure leaves as application/problem+json with a
// stable code. Expected failures (AppError, Fastify's body parsing, unknown routes) keep their
// status; Postgres or Redis out of reach is a 503 with Retry-After (the command may be sent again
// with its Idempotency-Key); anything else is a 500 that says nothing about internals and is
// logged with its stack.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { AppError, Logger } from '@app/common';
import { ErrorCode, ProblemDetails } from '@app/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { isBackendUnavailable } from './backend-unavailable';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem';

/**
 * Fastify's request errors (body too large, media type, bad JSON, bad URL) reach the filter as
 * plain HttpExceptions: Nest maps every FastifyError to `HttpException(message, statusCode)` and
 * drops its code. Their status alone says which they are.
 */
const BY_STATUS: Readonly<Record<number, { code: ErrorCode; detail: string }>> = {
  400: { code: ErrorCode.MalformedBody, detail: 'The request could not be read (malformed body, URL or headers).' },
  405: { code: ErrorCode.MethodNotAllowed, detail: 'Method not allowed.' },
  413: { code: ErrorCode.BodyTooLarge, detail: 'The request body is larger than 64 KiB.' },
  415: { code: ErrorCode.UnsupportedMediaType, detail: 'Request bodies must be application/json.' },
};

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(GATEWAY_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = this.toProblem(exception, request);
    if (reply.sent || reply.raw.headersSent) {
      // A streaming answer (SSE) already started: nothing more can be said on this response.
      return;
    }
    if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
    if (problem.status === 503) reply.header('Retry-After', '1');
    void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
    if (exception instanceof AppError) {
      return problemOf(exception.status, exception.code, exception.message, exception.errors);
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      if (status === 404) {
        // Nest's not-found handler answers every unmatched method and path.
        return problemOf(404, ErrorCode.RouteNotFound, `No route ${request.method} ${request.url.split('?')[0]}.`);
      }
      const known = BY_STATUS[status];
      return problemOf(status, known?.code ?? ErrorCode.ValidationFailed, known?.detail ?? 'The request was refused.');
    }
    if (isBackendUnavailable(exception)) {
      this.logger.warn({ err: exception instanceof Error ? exception.message : String(exception), reqId: request.id }, 'Postgres or Redis unavailable');
      return problemOf(503, ErrorCode.ServiceUnavailable, 'The service cannot reach its database or queue right now; send the request again (same Idempotency-Key) shortly.');
    }
    this.logger.error(
      { err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception), reqId: request.id },
      'unexpected error',
    );
    return problemOf(500, ErrorCode.Internal, 'An unexpected error occurred. It has been logged.');
  }
}
