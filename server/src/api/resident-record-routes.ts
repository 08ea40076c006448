import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadViews } from '../alerts/alert-view.ts';
import { dispatchedTo } from '../care/alert-permissions.ts';
import type { UserInfo } from '../care/directory.ts';
import { OPEN_STATES, type Role } from '../care/model.ts';
import { ResidentRecordViewSchema, ResidentRecords } from '../care/resident-record.ts';
import { HearthError } from '../errors.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams } from './common.ts';

const READERS: readonly Role[] = ['operator', 'admin', 'coordinator', 'responder'];
const EDITORS: readonly Role[] = ['operator', 'admin', 'coordinator'];

/**
 * The resident record (address, phone, key safe, access notes, GP, conditions,
 * medication and allergy warnings, language, hazards, care plan summary) with
 * the resident's contacts. Operators and admins: any resident of their
 * organisation; coordinators: their own residents; responders: read only, and
 * only while an open job for that resident is dispatched to them or their team.
 * Every read and change is written to the access log.
 */
export const residentRecordRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, clock, audit } = app.hearth;
  const records = new ResidentRecords(db, clock);

  const mayRead = async (user: UserInfo, residentId: string): Promise<void> => {
    const view = await records.get(user.orgId, residentId);
    if (user.role === 'coordinator' && view.coordinatorId !== user.id) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    if (user.role === 'responder') {
      const rows = await db
        .selectFrom('alerts')
        .selectAll()
        .where('org_id', '=', user.orgId)
        .where('state', 'in', [...OPEN_STATES])
        .where((eb) => eb.or([eb('resident_id', '=', residentId), ...(view.hubId ? [eb.and([eb('resident_id', 'is', null), eb('hub_id', '=', view.hubId)])] : [])]))
        .execute();
      const jobs = (await loadViews(db, rows)).filter((a) => dispatchedTo(user, a));
      if (!jobs.length) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    }
  };

  app.get(
    '/api/residents/:id/record',
    {
      config: { roles: READERS },
      schema: {
        summary: "A resident's record with contacts (operators, admins, the resident's coordinator; a responder only for a job dispatched to them); the read is access-logged",
        tags: ['care'],
        params: IdParams,
        response: { 200: z.object({ record: ResidentRecordViewSchema }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await mayRead(user, req.params.id);
      await audit.record(user, 'residents.record.read', [req.params.id]);
      return { record: await records.get(user.orgId, req.params.id) };
    },
  );

  app.put(
    '/api/residents/:id/record',
    {
      config: { roles: EDITORS },
      schema: {
        summary: "Replace a resident's record (operators, admins, the resident's coordinator); the change is access-logged",
        tags: ['care'],
        params: IdParams,
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.object({ record: ResidentRecordViewSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await mayRead(user, req.params.id);
      const record = await records.set(user.orgId, req.params.id, req.body, user.id);
      await audit.record(user, 'residents.record.update', [req.params.id]);
      return { record };
    },
  );
};
