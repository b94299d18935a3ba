/** One error shape over HTTP: `{ error: { code, message } }` with the catalogue's status. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { BeckonError, fail, httpStatus, type ErrorCode } from '@beckon/protocol';
import { issuesText, loneSurrogate } from '../realtime/guard';

/** Parse a request part with its schema or answer VALIDATION_FAILED. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new BeckonError('VALIDATION_FAILED', issuesText(r.error));
  if (loneSurrogate(r.data)) throw new BeckonError('VALIDATION_FAILED', 'text with a lone surrogate (half of a character) is not accepted');
  return r.data;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

export function registerErrorHandler(app: FastifyInstance, counters: { rejected: number }): void {
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof BeckonError) {
      counters.rejected++;
      return reply.status(httpStatus(err.code)).send({ error: fail(err.code, err.message).error });
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) {
      counters.rejected++;
      return reply.status(httpStatus(mapped)).send({ error: fail(mapped).error });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      counters.rejected++;
      return reply.status(400).send({ error: fail('VALIDATION_FAILED', err.message).error });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: fail('INTERNAL').error });
  });
}
