import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from './auth-plugin.ts';
import { authErrors } from './common.ts';

/** A date, YYYY-MM-DD, or an ISO time. */
const DateOrTime = z.string().max(40).refine((v) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) && !Number.isNaN(Date.parse(v)), 'a date YYYY-MM-DD or an ISO time');

/**
 * Who saw whom: the access log, for an organisation's admin (a resident's
 * request to know who read their record, an investigation). Reading it is
 * itself logged.
 */
export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, audit } = app.hearth;
  app.get(
    '/api/audit/access',
    {
      config: { roles: ['admin'] as const },
      schema: {
        summary: "Who read personal data, newest first; filter by a resident (or hub) id or by a user",
        tags: ['audit'],
        querystring: z.object({
          subject: z.string().min(1).max(64).optional(),
          userId: z.string().min(1).max(64).optional(),
          // Dates (YYYY-MM-DD, UTC; "to" includes its whole day) or ISO times.
          from: DateOrTime.optional(),
          to: DateOrTime.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: {
          200: z.object({
            entries: z.array(z.object({ at: z.string(), userId: z.string(), userName: z.string().nullable(), action: z.string(), subjects: z.array(z.string()) })),
          }),
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      let q = db
        .selectFrom('access_log')
        .leftJoin('users', 'users.id', 'access_log.user_id')
        .select(['access_log.at', 'access_log.user_id', 'users.display_name', 'access_log.action', 'access_log.subject'])
        .where('access_log.org_id', '=', user.orgId);
      // Subjects are stored as a JSON array of ids; ids are UUIDs or hub ids, so a quoted match is exact.
      if (req.query.subject) q = q.where('access_log.subject', 'like', `%${JSON.stringify(req.query.subject)}%`);
      if (req.query.userId) q = q.where('access_log.user_id', '=', req.query.userId);
      if (req.query.from) q = q.where('access_log.at', '>=', Date.parse(req.query.from));
      if (req.query.to) q = q.where('access_log.at', '<', Date.parse(req.query.to) + (/^\d{4}-\d{2}-\d{2}$/.test(req.query.to) ? 86_400_000 : 1));
      const rows = await q.orderBy('access_log.id', 'desc').limit(req.query.limit).execute();
      if (req.query.subject) await audit.record(user, 'audit.read', [req.query.subject]);
      return {
        entries: rows.map((r) => ({
          at: new Date(r.at).toISOString(),
          userId: r.user_id,
          userName: r.display_name,
          action: r.action,
          subjects: JSON.parse(r.subject) as string[],
        })),
      };
    },
  );
};
