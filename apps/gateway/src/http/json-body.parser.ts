// The gateway takes JSON bodies only: every other media type is a 415. An empty body counts as
// no body (a bare `POST …/cancel` with a JSON content type), and the JSON itself is parsed by
// Fastify's secure parser (prototype-poisoning keys refused). Parse failures are our own
// AppError, so they keep their code through Nest's error handling.
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import type { FastifyInstance } from 'fastify';
import { BODY_LIMIT_BYTES } from '../gateway.config';

const malformed = () =>
  new AppError(ErrorCode.MalformedBody, 400, 'The request body is not valid JSON (or carries __proto__ / constructor keys).');

export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (err, value) => (err ? done(malformed(), undefined) : done(null, value)));
  });
}
