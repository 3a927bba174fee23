// pagoUno routes, under the /pagouno prefix (clients use `<sandbox>/pagouno` as pagoUno's base
// URL, and a fault matching "/pagouno/" reaches pagoUno only). Every answer is pagoUno's envelope
// `{ status, message, data }` on HTTP 200, refusals included, as pagoUno answers; only "service
// unavailable" (amounts ending in 10) is a real HTTP 503. These are provider paths, so the request
// log and fault injection cover them like PayStore's.
import {
  Body,
  Catch,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UseFilters,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { neverAnswer } from './never-answer';
import { originalTokenBody } from './pagouno-wire-hooks';
import { PagounoRefusal, PagounoSandbox, pagounoBadRequest } from './pagouno-sandbox.service';
import { adjustmentSchema, purchaseGroupSchema, tokenRequestSchema } from './pagouno-wire.schemas';
import { PendingDelays } from './wire-hooks';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

export const PAGOUNO_PREFIX = 'pagouno/v1/Transaction';

interface Envelope {
  status: number;
  message: string;
  data: unknown;
}

const ok = (data: unknown): Envelope => ({ status: 200, message: '', data });

@Catch(PagounoRefusal)
export class PagounoRefusalFilter implements ExceptionFilter {
  catch(refusal: PagounoRefusal, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.destroyed) return;
    const http = refusal.status === 503 ? 503 : 200;
    void reply
      .status(http)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ status: refusal.status, message: refusal.message, data: null });
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw pagounoBadRequest();
  return parsed.data;
}

function singleParam(query: unknown, name: string): string {
  const value = query !== null && typeof query === 'object' ? (query as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value.trim() === '') throw pagounoBadRequest();
  return value;
}

@Controller()
@UseFilters(PagounoRefusalFilter)
export class PagounoTransactionsController {
  constructor(
    private readonly pagouno: PagounoSandbox,
    private readonly delays: PendingDelays,
    @Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions,
  ) {}

  /** Tokenization, as the buyer's browser or device calls it (public key). */
  @Post(`${PAGOUNO_PREFIX}/token`)
  @HttpCode(200)
  tokenize(@Headers('authorization') auth: string | undefined, @Req() request: FastifyRequest): Envelope {
    this.pagouno.authorize(auth, 'public');
    const cards = parse(tokenRequestSchema, originalTokenBody(request));
    return ok(this.pagouno.tokenize(cards));
  }

  /** The charge (private key). */
  @Post(`${PAGOUNO_PREFIX}/purchasegroup`)
  @HttpCode(200)
  async charge(@Headers('authorization') auth: string | undefined, @Body() body: unknown): Promise<Envelope> {
    this.pagouno.authorize(auth, 'private');
    const charged = this.pagouno.charge(parse(purchaseGroupSchema, body), Date.now());
    if (charged.answer === 'unavailable') throw new PagounoRefusal(503, 'service unavailable');
    if (charged.answer === 'lost') return neverAnswer();
    if (charged.answer === 'slow') await this.delays.wait(this.options.slowMs);
    return ok(charged.data);
  }

  /** The group charged with an external reference (public key). Not published by pagoUno: sandbox-defined. */
  @Get(`${PAGOUNO_PREFIX}/purchasegroup`)
  findGroup(@Headers('authorization') auth: string | undefined, @Query() query: unknown): Envelope {
    this.pagouno.authorize(auth, 'public');
    return ok(this.pagouno.findGroup(singleParam(query, 'external_reference')));
  }

  @Get(`${PAGOUNO_PREFIX}/purchase/:id`)
  transaction(@Headers('authorization') auth: string | undefined, @Param('id') id: string): Envelope {
    this.pagouno.authorize(auth, 'public');
    return ok(this.pagouno.transaction(id));
  }

  /** "Ajustes": an annulment or refund of one transaction (private key). Sandbox-defined. */
  @Post(`${PAGOUNO_PREFIX}/purchase/:id/adjustments`)
  @HttpCode(200)
  adjust(@Headers('authorization') auth: string | undefined, @Param('id') id: string, @Body() body: unknown): Envelope {
    this.pagouno.authorize(auth, 'private');
    return ok(this.pagouno.adjust(id, parse(adjustmentSchema, body), Date.now()));
  }

  /** The adjustments made with an external reference (public key). Sandbox-defined. */
  @Get(`${PAGOUNO_PREFIX}/adjustments`)
  adjustments(@Headers('authorization') auth: string | undefined, @Query() query: unknown): Envelope {
    this.pagouno.authorize(auth, 'public');
    return ok(this.pagouno.adjustmentsFor(singleParam(query, 'external_reference')));
  }
}
