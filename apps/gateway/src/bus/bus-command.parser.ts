// Reads a bus command with the one schema of libs/contracts and refuses it exactly as HTTP refuses
// the same command: a missing or invalid idempotency key first (IDEMPOTENCY.KEY_MISSING /
// KEY_INVALID), then every other fault in one REQUEST.VALIDATION_FAILED whose body errors name the
// same fields as over HTTP (`amount`, not `body.amount`); strings Postgres cannot store (NUL,
// unpaired surrogates) are refused as over HTTP too. Nothing is written before this passes.
import { AppError } from '@app/common';
import { BUS_COMMANDS, BusCommand, BusCommandName, busCommandSchema, busCommandType, ErrorCode, FieldError, OperationType } from '@app/contracts';
import { fieldErrorsOf, validationFailed } from '../http/problem';
import { unstorableFields } from '../http/unstorable-strings';

export function isBusCommandName(value: unknown): value is BusCommandName {
  return typeof value === 'string' && (BUS_COMMANDS as readonly string[]).includes(value);
}

/** The operation type a command creates or acts on: `payment` for `payment.cancel`. */
export function operationTypeOf(name: BusCommandName): OperationType {
  return name.slice(0, name.indexOf('.')) as OperationType;
}

/** The command in `data`, published as an event of `type`; an AppError (4xx) when it is not one. */
export function parseBusCommand(type: string, data: Readonly<Record<string, unknown>>): BusCommand {
  if (isBusCommandName(data.command) && busCommandType(data.command) !== type) {
    throw validationFailed([{ field: 'command', message: `${data.command} does not match the message type ${type}` }]);
  }
  const parsed = busCommandSchema.safeParse(data);
  const issues = parsed.success ? [] : parsed.error.issues;
  if (issues.some((i) => i.path[0] === 'idempotencyKey')) throw idempotencyKeyProblem(data.idempotencyKey);
  // As over HTTP: strings Postgres cannot store are refused before the schema's other faults.
  const unstorable: FieldError[] = [];
  unstorableFields(data.body, [], unstorable);
  unstorableFields(data.operationId, ['operationId'], unstorable);
  if (unstorable.length > 0) throw validationFailed(unstorable);
  if (parsed.success) return parsed.data;
  throw validationFailed(fieldErrorsOf(issues).map(asHttpField));
}

/** The body's fields are named as HTTP names them; the envelope's keep their names. */
function asHttpField(error: FieldError): FieldError {
  if (error.field === 'body') return { ...error, field: '' };
  return error.field.startsWith('body.') ? { ...error, field: error.field.slice('body.'.length) } : error;
}

/** HTTP's answers for the `Idempotency-Key` header, which `idempotencyKey` stands for. */
function idempotencyKeyProblem(value: unknown): AppError {
  if (value === undefined) {
    return new AppError(ErrorCode.IdempotencyKeyMissing, 400, 'This command requires an idempotency key (idempotencyKey).', [
      { field: 'Idempotency-Key', message: 'required' },
    ]);
  }
  return new AppError(ErrorCode.IdempotencyKeyInvalid, 400, 'The idempotency key must be 1 to 255 printable ASCII characters.', [
    { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
  ]);
}
