// Terminal Settlements routes: /v1/paystore_terminals/terminal_settlements/settlements…
import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { BearerTokenGuard } from './bearer-token.guard';
import type { WireObject } from './intent.model';
import { TerminalSettlementsService } from './terminal-settlements.service';
import { asQuery } from './wire-query';

@Controller('v1/paystore_terminals/terminal_settlements/settlements')
@UseGuards(BearerTokenGuard)
export class TerminalSettlementsController {
  constructor(private readonly settlements: TerminalSettlementsService) {}

  // Any body is ignored: the provider takes everything from the query.
  @Post()
  @HttpCode(200)
  create(@Query() query: unknown): WireObject {
    return this.settlements.create(asQuery(query), Date.now());
  }

  @Get()
  list(@Query() query: unknown): WireObject {
    return this.settlements.list(asQuery(query), Date.now());
  }

  @Get(':settlementId')
  get(@Query() query: unknown, @Param('settlementId') settlementId: string): WireObject {
    return this.settlements.get(asQuery(query), settlementId, Date.now());
  }
}
