import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HUB_VIEWERS } from '../auth/policy.ts';
import { hubHealth } from '../care/hub-health.ts';
import { userOf } from './auth-plugin.ts';
import { authErrors } from './common.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The organisation-wide hub health page: offline hubs, silent or unreachable sensors, low batteries, tamper, unmapped devices. */
export const hubHealthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, broker, clock, audit } = app.hearth;
  app.get(
    '/api/hub-health',
    {
      config: { roles: HUB_VIEWERS },
      schema: {
        summary: "Every problem of your organisation's hubs and sensors, most pressing first, each with what to do",
        tags: ['hubs'],
        response: {
          200: z.object({
            items: z.array(
              z.object({
                hubId: z.string(),
                hubName: z.string(),
                residents: z.array(z.string()),
                sensorId: z.string().nullable(),
                kind: z.string(),
                rank: z.number(),
                since: z.string().nullable(),
                problem: z.string(),
                whatToDo: z.string(),
              }),
            ),
          }),
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      const items = await hubHealth(db, user.orgId, clock.now(), (id) => broker.isConnected(id));
      // Residents' names are shown beside their hubs: log the read.
      const hubIds = [...new Set(items.filter((i) => i.residents.length).map((i) => i.hubId))];
      if (hubIds.length) {
        const rows = await db.selectFrom('residents').select('id').where('org_id', '=', user.orgId).where('hub_id', 'in', hubIds).execute();
        await audit.record(user, 'hub.health', rows.map((r) => r.id));
      }
      return { items: items.map((i) => ({ ...i, since: iso(i.since) })) };
    },
  );
};
