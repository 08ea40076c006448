import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Role } from '../care/model.ts';
import { reportCsv, ServiceReportSchema } from '../reports/service-report.ts';
import type { Routing } from '../routing/routing.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

const Query = z.object({
  neighbourhoodId: z.string().min(1).max(64),
  month: z.string().regex(/^(19[7-9]\d|2[01]\d\d)-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, from 1970 to 2199'),
});
const READERS: readonly Role[] = ['admin', 'operator', 'coordinator'];

/** Service reports per neighbourhood and month, as JSON or CSV (aggregates only, no personal data). */
export const reportRoutes: FastifyPluginAsyncZod<{ routing: Routing }> = async (app, { routing }) => {
  app.get(
    '/api/reports/service',
    {
      config: { roles: READERS },
      schema: {
        summary: 'Service report of a neighbourhood for a month: alerts by type, 60 s acknowledgement, two-hour response, intervals',
        tags: ['reports'],
        querystring: Query,
        response: { 200: z.object({ report: ServiceReportSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => ({ report: await routing.reports.compute(userOf(req).orgId, req.query.neighbourhoodId, req.query.month) }),
  );

  app.get(
    '/api/reports/service.csv',
    {
      config: { roles: READERS },
      schema: {
        summary: 'The same service report as CSV (text/csv, metric,value rows)',
        tags: ['reports'],
        querystring: Query,
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV'), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const report = await routing.reports.compute(userOf(req).orgId, req.query.neighbourhoodId, req.query.month);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="service-report-${req.query.month}.csv"`);
      return reportCsv(report);
    },
  );
};
