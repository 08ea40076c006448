import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessScope } from '../audit.ts';

/** Routes with no personal data, never logged by the backstop. */
const NOT_PERSONAL = new Set(['/api/health', '/api/ready', '/api/openapi.json', '/api/session', '/api/audit/access']);

type Params = Record<string, string | undefined>;

/**
 * How the backstop finds whose data a request touched, by route parameter, as
 * data: a resident id, an alert (its resident, or its hub), a hub (its
 * residents), a user. Other parameters name no person.
 */
const SUBJECTS_BY_PARAM: { param: string; under: RegExp; subjects: (app: FastifyInstance, orgId: string, id: string) => Promise<string[]> }[] = [
  { param: 'id', under: /^\/api\/residents\//, subjects: async (_a, _o, id) => [id] },
  { param: 'id', under: /^\/api\/users\//, subjects: async (_a, _o, id) => [id] },
  {
    param: 'id',
    under: /^\/api\/alerts\//,
    subjects: async (app, orgId, id) => {
      const a = await app.hearth.db.selectFrom('alerts').select(['resident_id', 'hub_id']).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
      return a ? [a.resident_id ?? a.hub_id, id] : [];
    },
  },
  {
    param: 'hubId',
    under: /^\/api\/hubs\//,
    subjects: async (app, orgId, id) => {
      const rows = await app.hearth.db.selectFrom('residents').select('id').where('hub_id', '=', id).where('org_id', '=', orgId).execute();
      return [...rows.map((r) => r.id), id];
    },
  },
];

/** Routes without an id that answer with personal data: whose, read from the answer. */
const SUBJECTS_BY_ANSWER: Record<string, (answer: unknown) => string[]> = {
  // Residents' channels carry their contacts' numbers and addresses.
  'GET /api/channels': (a) => ((a as { channels?: { ownerType: string; ownerId: string }[] }).channels ?? []).filter((c) => c.ownerType === 'resident').map((c) => c.ownerId),
};

async function subjectsOf(app: FastifyInstance, req: FastifyRequest, orgId: string, payload: unknown): Promise<string[]> {
  const url = req.routeOptions.url ?? '';
  const params = (req.params ?? {}) as Params;
  const out: string[] = [];
  const byAnswer = SUBJECTS_BY_ANSWER[`${req.method} ${url}`];
  if (byAnswer && typeof payload === 'string') {
    try {
      out.push(...byAnswer(JSON.parse(payload)));
    } catch {
      /* not JSON: nothing to read */
    }
  }
  for (const rule of SUBJECTS_BY_PARAM) {
    const id = params[rule.param];
    if (id && rule.under.test(url)) out.push(...(await rule.subjects(app, orgId, id)));
  }
  return out;
}

/**
 * The access log's backstop (defect 11): every successful /api request by a
 * signed-in user whose handler did not write to the access log itself, and
 * whose route names a person (resident, alert, hub, user), is logged as
 * `METHOD /route/:param` over those subjects. So a route added later is
 * logged without anyone remembering to; handlers that log a better action
 * name are not logged twice.
 */
export const accessAudit = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (_req, _reply, done) => {
      accessScope.run({ logged: false }, done);
    });
    // Before the answer leaves: what is shown is logged first.
    app.addHook('onSend', async (req, reply, payload) => {
      const url = req.routeOptions.url;
      if (!req.user || !url?.startsWith('/api/') || NOT_PERSONAL.has(url)) return payload;
      if (reply.statusCode < 200 || reply.statusCode >= 300 || req.method === 'HEAD') return payload;
      if (accessScope.getStore()?.logged) return payload;
      try {
        const subjects = await subjectsOf(app, req, req.user.orgId, payload);
        if (subjects.length) await app.hearth.audit.record(req.user, `${req.method} ${url}`, subjects);
      } catch (err) {
        req.log.error({ err }, 'access log write failed');
      }
      return payload;
    });
  },
  { name: 'hearth-access-audit', dependencies: ['hearth-services'] },
);
