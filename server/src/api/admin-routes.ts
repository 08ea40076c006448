import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AdminRecords } from '../care/admin-records.ts';
import { ROLES } from '../care/model.ts';
import { userOf } from './auth-plugin.ts';
import { authErrors } from './common.ts';

const AdminUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  neighbourhoodId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string().nullable(),
});

/** What only the admin console needs: every user of the organisation, disabled ones included (GET /api/users lists enabled ones). */
export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const records = new AdminRecords(app.hearth.db);
  app.get(
    '/api/admin/users',
    {
      config: { roles: ['admin'] as const },
      schema: { summary: 'Every user of your organisation, disabled ones included', tags: ['users'], response: { 200: z.object({ users: z.array(AdminUserSchema) }), ...authErrors } },
    },
    async (req) => ({ users: (await records.users(userOf(req).orgId)) as z.infer<typeof AdminUserSchema>[] }),
  );
};
