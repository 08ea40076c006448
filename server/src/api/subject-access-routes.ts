import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { subjectAccess, subjectAccessCsv } from '../care/subject-access.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

/** A subject access request: everything held about a resident, as JSON or CSV, for an admin; the export is logged. */
export const subjectAccessRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, directory, audit, clock } = app.hearth;
  app.get(
    '/api/residents/:id/subject-access',
    {
      config: { roles: ['admin'] as const },
      schema: {
        summary: 'Everything held about a resident (record, alerts and their history, notifications, events of their home, summaries, who saw them), as JSON or CSV',
        tags: ['audit'],
        params: z.object({ id: z.string().min(1).max(64) }),
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
        produces: ['application/json', 'text/csv'],
        response: { 200: z.unknown(), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const resident = await directory.getResident(user.orgId, req.params.id); // another organisation's: not found
      const data = await subjectAccess(db, resident.id, clock.now());
      await audit.record(user, 'residents.subject-access', [resident.id]);
      const day = data.generatedAt.slice(0, 10);
      reply.header('cache-control', 'no-store');
      if (req.query.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="subject-access-${resident.id}-${day}.csv"`);
        return subjectAccessCsv(data);
      }
      reply.header('content-disposition', `attachment; filename="subject-access-${resident.id}-${day}.json"`);
      return data;
    },
  );
};
