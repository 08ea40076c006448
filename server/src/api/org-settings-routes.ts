import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getOrgSettings, OrgSettingsSchema, updateOrgSettings } from '../care/org-settings.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

/** Your organisation's settings: name, the defaults new records take, the service's phone number. */
export const orgSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.hearth;
  app.get(
    '/api/organisation',
    {
      schema: { summary: "Your organisation's name and settings", tags: ['admin'], response: { 200: z.object({ organisation: OrgSettingsSchema.extend({ id: z.string() }) }), ...authErrors } },
    },
    async (req) => {
      const { orgId } = userOf(req);
      return { organisation: { id: orgId, ...(await getOrgSettings(db, orgId)) } };
    },
  );
  app.patch(
    '/api/organisation',
    {
      config: { roles: ['admin'] as const },
      schema: {
        summary: "Change your organisation's name or settings (new neighbourhoods and residents take its defaults)",
        tags: ['admin'],
        body: OrgSettingsSchema.partial().strict(),
        response: { 200: z.object({ organisation: OrgSettingsSchema.extend({ id: z.string() }) }), 400: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { orgId } = userOf(req);
      return { organisation: { id: orgId, ...(await updateOrgSettings(db, orgId, req.body)) } };
    },
  );
};
