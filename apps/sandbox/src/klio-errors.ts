// Klio's error answers, as the sandbox defines them (the real body is not public):
// `{ "code": "...", "message": "..." }` with 400 for a request that breaks the wire contract, 401
// for credentials or tokens, 404 for an unknown task, 409 for a state that does not allow the
// change, 422 for a business refusal (annulments) and 503 when unavailable.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ProviderError } from './provider-error';

export class KlioHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KlioHttpError';
  }
}

export const klioBadRequest = (message: string, code = 'VALIDATION_ERROR') => new KlioHttpError(400, code, message);
export const klioRefused = (code: string, message: string) => new KlioHttpError(422, code, message);

/** Answers every failure on the Klio routes in Klio's shape. */
@Catch()
export class KlioExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('SandboxKlio');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let body: { code: string; message: string } = { code: 'INTERNAL_ERROR', message: 'unexpected sandbox error' };
    if (exception instanceof KlioHttpError) {
      status = exception.status;
      body = { code: exception.code, message: exception.message };
    } else if (exception instanceof ProviderError) {
      status = exception.status;
      body = { code: exception.code, message: exception.title };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus() === 415 ? 400 : exception.getStatus();
      body = { code: status === 404 ? 'NOT_FOUND' : 'VALIDATION_ERROR', message: exception.message };
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (reply.sent || reply.raw.destroyed) return;
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
