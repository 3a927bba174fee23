// RFC 9457 problem details: the one error shape the gateway answers, its zod schema (for the
// OpenAPI document) and the mapping of zod issues to `{ field, message }`.
import { STATUS_CODES } from 'node:http';
import { ErrorCode, FieldError, ProblemDetails } from '@app/contracts';
import { AppError } from '@app/common';
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

export const problemSchema = z.object({
  type: z.string().describe('URI naming the kind of problem'),
  title: z.string().describe('The HTTP status text'),
  status: z.number().int(),
  detail: z.string().describe('What went wrong, for people'),
  code: z.enum(ERROR_CODES).describe('Stable dotted code to program against'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).describe('The fields at fault, if any'),
});

export function problemOf(status: number, code: ErrorCode, detail: string, errors: FieldError[] = []): ProblemDetails {
  return {
    type: `urn:ecr-bridge:problem:${code.toLowerCase()}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    errors,
  };
}

/** Every issue becomes one field error; unknown keys name the key itself (`print.colour`). */
export function fieldErrorsOf(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: [...path, key].join('.'), message: 'unknown field' });
    } else {
      out.push({ field: path.join('.'), message: issue.message });
    }
  }
  return out;
}

export function validationFailed(errors: FieldError[]): AppError {
  const fields = [...new Set(errors.map((e) => e.field || '(body)'))].join(', ');
  return new AppError(ErrorCode.ValidationFailed, 400, `The request is invalid: ${fields}.`, errors);
}
