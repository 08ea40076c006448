import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERRORS, HearthError } from '../errors.ts';

/** SQLite result codes that mean the database cannot be written just now. */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|NOMEM|BUSY|LOCKED)/;

/** The storage error behind err (itself or a cause), if it is one. */
export function storageFault(err: unknown): Error | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string' && STORAGE_CODES.test(e.code)) return e as Error;
  }
  return undefined;
}

/** Every error leaves the API as `{ code, message, details? }` with a code from the catalogue. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, req, reply) => {
      if (err instanceof HearthError) {
        return reply.status(err.status).send({ code: err.code, message: err.message });
      }
      if (hasZodFastifySchemaValidationErrors(err)) {
        return reply.status(400).send({
          code: 'HEARTH_ERR_VALIDATION',
          message: ERRORS.HEARTH_ERR_VALIDATION.message,
          details: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        });
      }
      const storage = storageFault(err);
      if (storage) {
        // The real cause (SQLITE_FULL, SQLITE_READONLY...), not a follow-on "cannot rollback".
        req.log.error({ err: storage }, 'database cannot be written');
        return reply.status(503).header('retry-after', '30').send({ code: 'HEARTH_ERR_STORAGE_UNAVAILABLE', message: ERRORS.HEARTH_ERR_STORAGE_UNAVAILABLE.message });
      }
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status < 500) {
        return reply.status(status).send({ code: 'HEARTH_ERR_VALIDATION', message: (err as Error).message });
      }
      req.log.error({ err }, 'request failed');
      return reply.status(500).send({ code: 'HEARTH_ERR_INTERNAL', message: ERRORS.HEARTH_ERR_INTERNAL.message });
    });
    app.setNotFoundHandler((req, reply) => {
      reply.status(404).send({ code: 'HEARTH_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    });
  },
  { name: 'hearth-errors' },
);
