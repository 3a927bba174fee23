// Authenticated liveness, as the provider exposes it under terminal_payments.
import { Controller, Get, UseGuards } from '@nestjs/common';
import { BearerTokenGuard } from './bearer-token.guard';

@Controller('v1/paystore_terminals/terminal_payments/health')
@UseGuards(BearerTokenGuard)
export class PaystoreHealthController {
  @Get('liveness')
  liveness(): { status: 'UP' } {
    return { status: 'UP' };
  }
}
