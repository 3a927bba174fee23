// Wires the sandbox together for one set of options; each startSandbox() call builds its own
// module, so several sandboxes can run side by side in one test process.
import { Module, type DynamicModule } from '@nestjs/common';
import { BearerTokenGuard } from './bearer-token.guard';
import { ControlRoutesGuard } from './control-routes.guard';
import { FaultInjector } from './fault-injection';
import { IntentLifecycle } from './intent-lifecycle.service';
import { KlioApiController } from './klio-api.controller';
import { KlioControlController } from './klio-control.controller';
import { KlioResetHook } from './klio-reset.hook';
import { KlioSandboxService } from './klio-sandbox.service';
import { OAuthTokensService } from './oauth-tokens.service';
import { OpsController, SandboxMetrics } from './ops.controller';
import { PagounoSandbox } from './pagouno-sandbox.service';
import { PagounoTransactionsController } from './pagouno-transactions.controller';
import { PagounoWireHooks } from './pagouno-wire-hooks';
import { PaystoreHealthController } from './paystore-health.controller';
import { PaystoreOAuthController } from './paystore-oauth.controller';
import { PosPageController } from './pos-page.controller';
import { RequestLog } from './request-log';
import { SandboxControlController } from './sandbox-control.controller';
import { SandboxLedger } from './sandbox-ledger';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';
import { TerminalPaymentsController } from './terminal-payments.controller';
import { TerminalPaymentsService } from './terminal-payments.service';
import { TerminalRefundsController } from './terminal-refunds.controller';
import { TerminalRefundsService } from './terminal-refunds.service';
import { TerminalReversalsController } from './terminal-reversals.controller';
import { TerminalReversalsService } from './terminal-reversals.service';
import { TerminalSettlementsController } from './terminal-settlements.controller';
import { TerminalSettlementsService } from './terminal-settlements.service';
import { VirtualTerminalsController } from './virtual-terminals.controller';
import { VirtualTerminalsService } from './virtual-terminals.service';
import { PendingDelays } from './wire-hooks';

@Module({})
export class SandboxModule {
  static forOptions(options: SandboxOptions): DynamicModule {
    return {
      module: SandboxModule,
      controllers: [
        OpsController,
        PaystoreOAuthController,
        PaystoreHealthController,
        TerminalPaymentsController,
        TerminalReversalsController,
        TerminalRefundsController,
        TerminalSettlementsController,
        VirtualTerminalsController,
        SandboxControlController,
        PosPageController,
        KlioApiController,
        KlioControlController,
        PagounoTransactionsController,
      ],
      providers: [
        { provide: SANDBOX_OPTIONS, useValue: options },
        { provide: RequestLog, useValue: new RequestLog(options.requestLogLimit) },
        { provide: FaultInjector, useValue: new FaultInjector() },
        { provide: PendingDelays, useValue: new PendingDelays() },
        { provide: SandboxMetrics, useValue: new SandboxMetrics() },
        SandboxLedger,
        IntentLifecycle,
        OAuthTokensService,
        VirtualTerminalsService,
        TerminalPaymentsService,
        TerminalReversalsService,
        TerminalRefundsService,
        TerminalSettlementsService,
        BearerTokenGuard,
        ControlRoutesGuard,
        KlioSandboxService,
        KlioResetHook,
        PagounoSandbox,
        PagounoWireHooks,
      ],
    };
  }
}
