import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERRORS, HearthError } from '../errors.ts';

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
