// Expected failures carry a stable dotted code and the HTTP status that fits it; the edge turns
// them into RFC 9457 problem details. Workers never throw these at BullMQ.
import { ErrorCode, FieldError } from '@app/contracts';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}
