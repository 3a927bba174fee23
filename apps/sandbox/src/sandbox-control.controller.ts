// Sandbox control: fault injection, the provider request log, and reset.
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ControlRoutesGuard } from './control-routes.guard';
import { FaultInjector, type Fault } from './fault-injection';
import { OAuthTokensService } from './oauth-tokens.service';
import { parseWire } from './paystore-wire.schemas';
import { notFound } from './provider-error';
import { RequestLog, type RequestLogEntry } from './request-log';
import { faultSchema } from './sandbox-control.schemas';
import { SandboxLedger } from './sandbox-ledger';
import { VirtualTerminalsService } from './virtual-terminals.service';
import { asQuery, optionalParam } from './wire-query';

@Controller('sandbox')
export class SandboxControlController {
  constructor(
    private readonly faults: FaultInjector,
    private readonly log: RequestLog,
    private readonly ledger: SandboxLedger,
    private readonly tokens: OAuthTokensService,
    private readonly terminals: VirtualTerminalsService,
  ) {}

  @Post('faults')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  addFault(@Body() body: unknown): { data: Fault } {
    return { data: this.faults.add(parseWire(faultSchema, body ?? {}), Date.now()) };
  }

  @Get('faults')
  @UseGuards(ControlRoutesGuard)
  listFaults(): { data: Fault[] } {
    return { data: this.faults.list(Date.now()) };
  }

  @Delete('faults')
  @UseGuards(ControlRoutesGuard)
  clearFaults(): { data: Fault[] } {
    this.faults.clear();
    return { data: [] };
  }

  @Delete('faults/:id')
  @UseGuards(ControlRoutesGuard)
  removeFault(@Param('id') id: string): { data: Fault[] } {
    if (!this.faults.remove(id)) throw notFound(`fault ${id} does not exist`);
    return { data: this.faults.list(Date.now()) };
  }

  @Get('requests')
  requests(@Query() query: unknown): { data: RequestLogEntry[] } {
    const q = asQuery(query);
    return { data: this.log.entries({ path: optionalParam(q, 'path'), method: optionalParam(q, 'method') }) };
  }

  @Delete('requests')
  @UseGuards(ControlRoutesGuard)
  clearRequests(): { data: RequestLogEntry[] } {
    this.log.clear();
    return { data: [] };
  }

  /** Forgets everything: intents, terminals (configured ones come back), tokens, faults, the log. */
  @Post('reset')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  reset(): { data: { reset: true } } {
    this.ledger.clear();
    this.tokens.clear();
    this.faults.clear();
    this.log.clear();
    this.terminals.seed();
    return { data: { reset: true } };
  }
}
