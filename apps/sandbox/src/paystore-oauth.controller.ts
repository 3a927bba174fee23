// OAuth token endpoint, GET (query) and POST (JSON or form body), both with Basic client auth.
import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { OAuthTokensService, type TokenAnswer } from './oauth-tokens.service';
import { badRequest } from './provider-error';
import { asQuery, optionalParam } from './wire-query';

function requireClientCredentials(grantType: unknown): void {
  if (grantType === undefined || grantType === null || grantType === '') throw badRequest('grant_type is required');
  if (grantType !== 'client_credentials') throw badRequest('grant_type must be client_credentials');
}

@Controller('v1/oauth')
export class PaystoreOAuthController {
  constructor(private readonly tokens: OAuthTokensService) {}

  @Get('accesstoken')
  getToken(@Headers('authorization') authorization: unknown, @Query() query: unknown): TokenAnswer {
    this.tokens.authenticateClient(authorization);
    requireClientCredentials(optionalParam(asQuery(query), 'grant_type'));
    return this.tokens.issue(Date.now());
  }

  @Post('accesstoken')
  @HttpCode(200)
  postToken(@Headers('authorization') authorization: unknown, @Query() query: unknown, @Body() body: unknown): TokenAnswer {
    this.tokens.authenticateClient(authorization);
    const fromBody = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).grant_type : undefined;
    requireClientCredentials(fromBody ?? optionalParam(asQuery(query), 'grant_type'));
    return this.tokens.issue(Date.now());
  }
}
