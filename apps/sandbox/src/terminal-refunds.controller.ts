// Terminal Refunds routes: /v1/paystore_terminals/terminal_refunds/refunds…
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { BearerTokenGuard } from './bearer-token.guard';
import type { WireObject } from './intent.model';
import { neverAnswer } from './never-answer';
import { TerminalRefundsService } from './terminal-refunds.service';
import { asQuery } from './wire-query';

@Controller('v1/paystore_terminals/terminal_refunds/refunds')
@UseGuards(BearerTokenGuard)
export class TerminalRefundsController {
  constructor(private readonly refunds: TerminalRefundsService) {}

  @Post()
  @HttpCode(200)
  create(@Query() query: unknown, @Body() body: unknown): Promise<WireObject> {
    const created = this.refunds.create(asQuery(query), body, Date.now());
    return created.answerLost ? neverAnswer() : Promise.resolve(created.envelope);
  }

  @Get()
  list(@Query() query: unknown): WireObject {
    return this.refunds.list(asQuery(query), Date.now());
  }

  @Get(':refundId')
  get(@Query() query: unknown, @Param('refundId') refundId: string): WireObject {
    return this.refunds.get(asQuery(query), refundId, Date.now());
  }

  @Put(':refundId/cancellations')
  cancel(@Query() query: unknown, @Param('refundId') refundId: string): WireObject {
    return this.refunds.cancel(asQuery(query), refundId, Date.now());
  }
}
