// Body parsing that never throws a framework error at the client: bad JSON is the provider's
// 400, an empty body on a POST/PUT (settlements, cancellations) is simply no body, and OAuth
// may arrive form-encoded.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from './provider-error';

type Done = (error: Error | null, body?: unknown) => void;

function parseJson(raw: string | Buffer, done: Done): void {
  const text = raw.toString();
  if (text.trim() === '') return done(null, undefined);
  try {
    done(null, JSON.parse(text) as unknown);
  } catch {
    done(badRequest('body is not valid JSON'));
  }
}

export function installBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request: FastifyRequest, raw: string | Buffer, done: Done) =>
    parseJson(raw, done),
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request: FastifyRequest, raw: string | Buffer, done: Done) => done(null, Object.fromEntries(new URLSearchParams(raw.toString()))),
  );
  // Anything else is read as text and treated as JSON, the only format the provider speaks.
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request: FastifyRequest, raw: string | Buffer, done: Done) =>
    parseJson(raw, done),
  );
}
