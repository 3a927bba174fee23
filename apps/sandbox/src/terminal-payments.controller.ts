// Terminal Payments routes: /v1/paystore_terminals/terminal_payments/payments…
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { BearerTokenGuard } from './bearer-token.guard';
import type { WireObject } from './intent.model';
import { neverAnswer } from './never-answer';
import { TerminalPaymentsService } from './terminal-payments.service';
import { asQuery } from './wire-query';

@Controller('v1/paystore_terminals/terminal_payments/payments')
@UseGuards(BearerTokenGuard)
export class TerminalPaymentsController {
  constructor(private readonly payments: TerminalPaymentsService) {}

  @Post()
  @HttpCode(200)
  create(@Query() query: unknown, @Body() body: unknown): Promise<WireObject> {
    const created = this.payments.create(asQuery(query), body, Date.now());
    return created.answerLost ? neverAnswer() : Promise.resolve(created.envelope);
  }

  @Post('searches')
  @HttpCode(200)
  search(@Query() query: unknown, @Body() body: unknown): WireObject {
    return this.payments.search(asQuery(query), body, Date.now());
  }

  @Get(':paymentId')
  get(@Query() query: unknown, @Param('paymentId') paymentId: string): WireObject {
    return this.payments.get(asQuery(query), paymentId, Date.now());
  }

  @Put(':paymentId/cancellations')
  cancel(@Query() query: unknown, @Param('paymentId') paymentId: string): WireObject {
    return this.payments.cancel(asQuery(query), paymentId, Date.now());
  }

  @Put(':paymentId/confirmations')
  confirm(@Query() query: unknown, @Param('paymentId') paymentId: string): WireObject {
    return this.payments.confirm(asQuery(query), paymentId, Date.now());
  }
}
