// Virtual terminal routes: register/list terminals, change mode, the POS buttons' actions, and
// the list of intents a terminal shows (what the POS page polls).
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ControlRoutesGuard } from './control-routes.guard';
import { parseWire } from './paystore-wire.schemas';
import { badRequest } from './provider-error';
import { posActionSchema, registerTerminalSchema, terminalModeSchema } from './sandbox-control.schemas';
import { normalizeCuit } from './sandbox.options';
import {
  VirtualTerminalsService,
  type IntentOnTerminal,
  type PosAction,
  type TerminalView,
} from './virtual-terminals.service';

@Controller('sandbox/terminals')
export class VirtualTerminalsController {
  constructor(private readonly terminals: VirtualTerminalsService) {}

  @Post()
  @HttpCode(200)
  register(@Body() body: unknown): { data: TerminalView } {
    const input = parseWire(registerTerminalSchema, body);
    const cuit = normalizeCuit(input.cuit);
    if (cuit === null) throw badRequest('cuit must be a CUIT like 30-71234567-8');
    const now = Date.now();
    return { data: this.terminals.view(this.terminals.upsert({ ...input, cuit }, now), now) };
  }

  @Get()
  list(): { data: TerminalView[] } {
    const now = Date.now();
    return { data: this.terminals.all().map((terminal) => this.terminals.view(terminal, now)) };
  }

  @Get(':terminalId')
  get(@Param('terminalId') terminalId: string): { data: TerminalView } {
    return { data: this.terminals.view(this.terminals.find(terminalId), Date.now()) };
  }

  @Post(':terminalId/mode')
  @HttpCode(200)
  setMode(@Param('terminalId') terminalId: string, @Body() body: unknown): { data: TerminalView } {
    const change = parseWire(terminalModeSchema, body);
    const now = Date.now();
    return { data: this.terminals.view(this.terminals.configure(this.terminals.find(terminalId), change, now), now) };
  }

  @Get(':terminalId/intents')
  intents(@Param('terminalId') terminalId: string): { terminal: TerminalView; data: IntentOnTerminal[] } {
    const terminal = this.terminals.find(terminalId);
    const now = Date.now();
    return { terminal: this.terminals.view(terminal, now), data: this.terminals.intentsOn(terminal, now) };
  }

  @Post(':terminalId/take')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  take(@Param('terminalId') terminalId: string, @Body() body: unknown): { data: IntentOnTerminal } {
    return this.act(terminalId, 'take', body);
  }

  @Post(':terminalId/approve')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  approve(@Param('terminalId') terminalId: string, @Body() body: unknown): { data: IntentOnTerminal } {
    return this.act(terminalId, 'approve', body);
  }

  @Post(':terminalId/decline')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  decline(@Param('terminalId') terminalId: string, @Body() body: unknown): { data: IntentOnTerminal } {
    return this.act(terminalId, 'decline', body);
  }

  @Post(':terminalId/walkaway')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  walkAway(@Param('terminalId') terminalId: string, @Body() body: unknown): { data: IntentOnTerminal } {
    return this.act(terminalId, 'walkaway', body);
  }

  /** The person cancels the intent on the terminal: it ends undone with no cancel from the caller. */
  @Post(':terminalId/cancel')
  @HttpCode(200)
  @UseGuards(ControlRoutesGuard)
  cancel(@Param('terminalId') terminalId: string, @Body() body: unknown): { data: IntentOnTerminal } {
    return this.act(terminalId, 'cancel', body);
  }

  private act(terminalId: string, action: PosAction, body: unknown): { data: IntentOnTerminal } {
    const input = parseWire(posActionSchema, body ?? {});
    const terminal = this.terminals.find(terminalId);
    const choice = { brand: input.brand ?? null, entryMode: input.entryMode ?? null };
    return { data: this.terminals.act(terminal, action, input.paymentId ?? null, choice, Date.now()) };
  }
}
