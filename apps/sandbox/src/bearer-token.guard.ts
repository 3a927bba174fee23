// Every provider API route needs a live bearer token, as the real API does.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OAuthTokensService } from './oauth-tokens.service';

@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(private readonly tokens: OAuthTokensService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.tokens.verifyBearer(request.headers.authorization, Date.now());
    return true;
  }
}
