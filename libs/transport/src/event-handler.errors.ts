// How a handler says "never retry this one", and a filter that keeps a handler's own error (Nest's
// default filter turns every unknown error into "Internal server error", which is all a dead letter
// would then say).
import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';

/**
 * Thrown by a handler for a message that no retry will help (data it cannot use): the message goes
 * to the dead-letter stream at once. An RpcException, so it keeps its meaning through Nest's filters.
 */
export class UnrecoverableEventError extends RpcException {
  constructor(message: string) {
    super({ status: 'error', message, unrecoverable: true });
    this.message = message;
  }
}

export function isUnrecoverable(err: unknown): boolean {
  if (err instanceof UnrecoverableEventError) return true;
  return typeof err === 'object' && err !== null && (err as { unrecoverable?: unknown }).unrecoverable === true;
}

/** The text a dead letter records for a handler's failure. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/**
 * Passes a handler's error on unchanged, so retries and dead letters see the real one:
 * `app.useGlobalFilters(new EventErrorFilter())` on a microservice app, or
 * `@UseFilters(new EventErrorFilter())` on the controller in a hybrid app (a microservice connected
 * with `connectMicroservice` ignores global filters added after it).
 */
@Catch()
export class EventErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
