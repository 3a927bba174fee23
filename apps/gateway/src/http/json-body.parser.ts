// The gateway takes JSON bodies only: every other media type is a 415. An empty body counts as
// no body (a bare `POST …/cancel` with a JSON content type), and the JSON itself is parsed by
// Fastify's secure parser (prototype-poisoning keys refused).
import type { FastifyInstance } from 'fastify';
import { BODY_LIMIT_BYTES } from '../gateway.config';

export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
