// Terminal Reversals routes: /v1/paystore_terminals/terminal_reversals/reversals…
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { BearerTokenGuard } from './bearer-token.guard';
import type { WireObject } from './intent.model';
import { TerminalReversalsService } from './terminal-reversals.service';
import { asQuery } from './wire-query';

@Controller('v1/paystore_terminals/terminal_reversals/reversals')
@UseGuards(BearerTokenGuard)
export class TerminalReversalsController {
  constructor(private readonly reversals: TerminalReversalsService) {}

  @Post()
  @HttpCode(200)
  create(@Query() query: unknown, @Body() body: unknown): WireObject {
    return this.reversals.create(asQuery(query), body, Date.now());
  }

  @Get()
  list(@Query() query: unknown): WireObject {
    return this.reversals.list(asQuery(query), Date.now());
  }

  @Get(':paymentId')
  get(@Query() query: unknown, @Param('paymentId') paymentId: string): WireObject {
    return this.reversals.get(asQuery(query), paymentId, Date.now());
  }

  @Put(':paymentId/cancellations')
  cancel(@Query() query: unknown, @Param('paymentId') paymentId: string): WireObject {
    return this.reversals.cancel(asQuery(query), paymentId, Date.now());
  }
}
