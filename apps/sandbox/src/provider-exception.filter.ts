// Turns every failure into the provider's error envelope. Malformed input never becomes a 500:
// body-parser and framework errors map onto the provider's 400/404/413.
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { codeForStatus, errorEnvelope, ProviderError, type ErrorEnvelope } from './provider-error';

export function toErrorResponse(exception: unknown): { status: number; body: ErrorEnvelope } | null {
  if (exception instanceof ProviderError) return { status: exception.status, body: exception.toEnvelope() };
  if (exception instanceof HttpException) {
    let status = exception.getStatus();
    // An unsupported or broken content type is a malformed request to the provider.
    if (status === 415) status = 400;
    const title = exception.message || 'request rejected';
    return { status, body: errorEnvelope(status, codeForStatus(status), title) };
  }
  return null;
}

@Catch()
export class ProviderExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Sandbox');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let response = toErrorResponse(exception);
    if (response === null) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      response = { status: 500, body: errorEnvelope(500, 'INTERNAL_ERROR', 'unexpected sandbox error') };
    }
    if (reply.sent || reply.raw.destroyed) return;
    void reply.status(response.status).header('content-type', 'application/json; charset=utf-8').send(response.body);
  }
}
