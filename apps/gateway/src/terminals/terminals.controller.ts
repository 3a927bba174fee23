// Terminal routes for merchants.
import { Controller, Inject } from '@nestjs/common';
import { MerchantId } from '../auth/principal';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import { listTerminalsRoute } from './terminals.routes';
import { TerminalPage, TerminalsService } from './terminals.service';

@Controller()
export class TerminalsController {
  constructor(@Inject(TerminalsService) private readonly terminals: TerminalsService) {}

  @Endpoint(listTerminalsRoute)
  list(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listTerminalsRoute>): Promise<TerminalPage> {
    return this.terminals.list(merchantId, input.query.limit, input.query.cursor);
  }
}
