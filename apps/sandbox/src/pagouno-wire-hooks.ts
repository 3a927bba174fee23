// Two Fastify hooks for pagoUno, so the shared sandbox files need no pagoUno knowledge:
// - card numbers reach the sandbox only on pagoUno's tokenization route; before the request log
//   (or anything else) sees that body, it is swapped for a copy that keeps BIN and last four only,
//   no security code and no holder; the tokenization handler alone reads the original, kept on the request;
// - `POST /sandbox/reset` forgets pagoUno's tokens, transactions and adjustments too.
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PagounoSandbox } from './pagouno-sandbox.service';
import { pathOf } from './wire-hooks';

const ORIGINAL = Symbol('pagouno.tokenBody');
const TOKEN_PATH = /\/pagouno\/v1\/Transaction\/token\/?$/;

type WithOriginal = FastifyRequest & { [ORIGINAL]?: unknown };

function maskPan(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\d{10,19}$/.test(value)) return '[masked]';
  return `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}

/** The body with every card number cut to BIN and last four, its security code and holder removed. */
export function maskTokenBody(body: unknown): unknown {
  if (!Array.isArray(body)) return body === undefined || body === null ? body : '[masked]';
  return body.map((card: unknown) => {
    if (card === null || typeof card !== 'object') return '[masked]';
    const copy: Record<string, unknown> = { ...(card as Record<string, unknown>) };
    if ('primary_account_number' in copy) copy['primary_account_number'] = maskPan(copy['primary_account_number']);
    if ('card_security_code' in copy) copy['card_security_code'] = '***';
    if ('card_holder' in copy) copy['card_holder'] = '[masked]';
    return copy;
  });
}

/** What the tokenization handler reads: the unmasked body the hook kept. */
export function originalTokenBody(request: FastifyRequest): unknown {
  const kept = request as WithOriginal;
  return ORIGINAL in kept ? kept[ORIGINAL] : request.body;
}

@Injectable()
export class PagounoWireHooks {
  constructor(adapterHost: HttpAdapterHost, pagouno: PagounoSandbox) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    // preValidation: after the body is parsed, before the request log's preHandler stores it.
    fastify.addHook('preValidation', async (request: FastifyRequest) => {
      if (request.method !== 'POST' || !TOKEN_PATH.test(pathOf(request.url))) return;
      (request as WithOriginal)[ORIGINAL] = request.body;
      request.body = maskTokenBody(request.body);
    });
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (request.method === 'POST' && pathOf(request.url) === '/sandbox/reset' && reply.statusCode === 200) pagouno.clear();
      return payload;
    });
  }
}
