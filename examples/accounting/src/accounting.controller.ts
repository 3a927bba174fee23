// The events accounting books. Everything else on the stream is acknowledged untouched by the transport.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { RedisStreamsContext } from '@app/transport';
import { JournalService } from './journal.service';
import { journalEntryOf, settlementOf } from './journal-entry.mapper';

@Controller()
export class AccountingController {
  constructor(@Inject(JournalService) private readonly journal: JournalService) {}

  @EventPattern(['payment.approved', 'reversal.approved', 'refund.approved'])
  async movement(@Ctx() ctx: RedisStreamsContext): Promise<void> {
    await this.journal.book(journalEntryOf(ctx.getEvent()));
  }

  @EventPattern('settlement.approved')
  async settlement(@Ctx() ctx: RedisStreamsContext): Promise<void> {
    await this.journal.bookSettlement(settlementOf(ctx.getEvent()));
  }
}
