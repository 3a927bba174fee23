// Who is calling, as the auth guard established it.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type Principal = { kind: 'admin' } | { kind: 'merchant'; merchantId: string; keyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The calling merchant's id on a merchant route (the guard has already refused anyone else). */
export const MerchantId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (principal?.kind !== 'merchant') throw new Error('MerchantId used on a route that is not a merchant route');
  return principal.merchantId;
});
