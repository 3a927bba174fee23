// The ONE place errors become answers: every failure leaves as application/problem+json with a
// stable code. Expected failures (AppError, Fastify's body parsing, unknown routes) keep their
// status; anything else is a 500 that says nothing about internals and is logged with its stack.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { AppError, Logger } from '@app/common';
import { ErrorCode, ProblemDetails } from '@app/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem';

/** Fastify's own request errors, by their `code`. */
const FASTIFY_ERRORS: Readonly<Record<string, { status: number; code: ErrorCode; detail: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: ErrorCode.BodyTooLarge, detail: 'The request body is larger than 64 KiB.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: ErrorCode.UnsupportedMediaType,
    detail: 'Request bodies must be application/json.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: ErrorCode.MalformedBody, detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ErrorCode.MalformedBody, detail: 'The request body is empty.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: ErrorCode.MalformedBody,
    detail: 'Content-Length does not match the body.',
  },
  FST_ERR_BAD_URL: { status: 400, code: ErrorCode.ValidationFailed, detail: 'The URL is malformed.' },
};

function fastifyCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

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
    void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
    if (exception instanceof AppError) {
      return problemOf(exception.status, exception.code, exception.message, exception.errors);
    }
    const known = FASTIFY_ERRORS[fastifyCode(exception) ?? ''];
    if (known) return problemOf(known.status, known.code, known.detail);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest's not-found handler answers every unmatched method and path.
      if (status === 404) {
        return problemOf(404, ErrorCode.RouteNotFound, `No route ${request.method} ${request.url.split('?')[0]}.`);
      }
      if (status < 500) return problemOf(status, ErrorCode.ValidationFailed, exception.message);
    }
    this.logger.error(
      { err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception), reqId: request.id },
      'unexpected error',
    );
    return problemOf(500, ErrorCode.Internal, 'An unexpected error occurred. It has been logged.');
  }
}
