// Serves the virtual POS pages (HTML), next to the JSON routes they call.
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { renderKlioDevices } from './klio-pos';
import { KlioSandboxService } from './klio-sandbox.service';
import { renderPosIndex, renderPosNotFound, renderPosPage } from './pos-page';
import { SandboxLedger } from './sandbox-ledger';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';
import { VirtualTerminalsService } from './virtual-terminals.service';

@Controller('sandbox/pos')
export class PosPageController {
  constructor(
    private readonly terminals: VirtualTerminalsService,
    private readonly ledger: SandboxLedger,
    @Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions,
    private readonly klio: KlioSandboxService,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    const now = Date.now();
    const klio = renderKlioDevices([...this.klio.devices.values()], (id) => this.klio.tasksOf(id), this.options.control);
    return renderPosIndex(
      this.terminals.all().map((terminal) => this.terminals.view(terminal, now)),
      klio,
    );
  }

  @Get(':terminalId')
  @Header('content-type', 'text/html; charset=utf-8')
  terminal(@Param('terminalId') terminalId: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    if (!this.ledger.terminals.has(terminalId)) {
      void reply.status(404);
      return renderPosNotFound(terminalId);
    }
    return renderPosPage(terminalId, this.options.control);
  }
}
