// Requests refused before they reach a route, answered as problem details with the gateway's
// security headers like every other refusal (Fastify's own answers are plain JSON that echoes the
// URL):
//  - what Node's HTTP parser cannot read (broken framing, bytes after a GET without a length,
//    oversized headers, a client too slow to send its head), answered on the socket, which is then
//    closed;
//  - what Fastify's router cannot route: a URL that does not decode (400) or a path parameter over
//    its maximum length (414).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode } from '@app/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { API_HEADERS } from '../security/security-headers';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem';

export function problemClientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection is gone: there is no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const detail =
    status === 408
      ? 'The request was not received in time.'
      : status === 431
        ? 'The request headers are too large.'
        : 'The request could not be read (malformed HTTP).';
  const body = JSON.stringify(problemOf(status, ErrorCode.MalformedBody, detail));
  if (socket.writable) {
    const headers = {
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
      ...API_HEADERS,
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: errors its router meets before any route or hook runs. */
export function problemFrameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_BAD_URL'
      ? problemOf(400, ErrorCode.MalformedBody, 'The request URL could not be decoded.')
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? problemOf(414, ErrorCode.ValidationFailed, 'A path parameter is too long.')
        : problemOf(500, ErrorCode.Internal, 'An unexpected error occurred. It has been logged.');
  void reply.status(problem.status).headers(API_HEADERS).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
}
