// How a rate-limit decision shows on an answer: `RateLimit-Limit`, `RateLimit-Remaining` and
// `RateLimit-Reset` (seconds) on every counted request, and on a refusal `Retry-After` (seconds)
// with a 429 `REQUEST.RATE_LIMITED` problem.
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import type { FastifyReply } from 'fastify';
import type { RateLimitDecision } from './rate-limiter.service';

export function setRateLimitHeaders(reply: FastifyReply, decision: RateLimitDecision): void {
  reply.header('RateLimit-Limit', String(decision.limit));
  reply.header('RateLimit-Remaining', String(decision.remaining));
  reply.header('RateLimit-Reset', String(decision.resetSeconds));
  if (!decision.allowed) reply.header('Retry-After', String(decision.retryAfterSeconds));
}

export function rateLimited(decision: RateLimitDecision, what: string): AppError {
  return new AppError(
    ErrorCode.RateLimited,
    429,
    `Too many ${what}: at most ${decision.limit} a minute. Retry after ${decision.retryAfterSeconds} s.`,
  );
}
