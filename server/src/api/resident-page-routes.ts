import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toAlertView } from '../alerts/alert-view.ts';
import { AwayMode } from '../care/away-mode.ts';
import { Caseload, refOf } from '../care/caseload.ts';
import { ContactSchema, type UserInfo } from '../care/directory.ts';
import { MdtNotes } from '../care/mdt-notes.ts';
import type { Role } from '../care/model.ts';
import { PlanHistory, checkPlanPatch, planSettings } from '../care/plan-history.ts';
import type { TimerHandle } from '../clock.ts';
import { HearthError } from '../errors.ts';
import type { EventStore } from '../store/event-store.ts';
import { learnedValues } from '../trends/learned.ts';
import { localDay } from '../trends/local-time.ts';
import type { TrendService } from '../trends/trend-service.ts';
import { userOf } from './auth-plugin.ts';
import { AwaySchema, CaseloadEntrySchema } from './caseload-routes.ts';
import { ErrorSchema, authErrors } from './common.ts';

/** Who may open a resident's page (coordinators: their own, a lead their neighbourhood's). */
export const PAGE_READERS: readonly Role[] = ['coordinator', 'admin', 'operator'];
/** Who may change plan, away mode and notes: the resident's own coordinator, or an admin. */
const EDITORS: readonly Role[] = ['coordinator', 'admin'];
/** How often away periods past their end date are ended. */
export const AWAY_EXPIRY_EVERY_MS = 60_000;

const Params = z.object({ id: z.string().min(1).max(64) });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD');

const SettingSchema = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.enum(['minutes', 'seconds', 'clock', 'celsius', 'ratio', 'count']),
  help: z.string(),
  value: z.union([z.number(), z.string()]),
  default: z.union([z.number(), z.string()]),
  min: z.number().nullable(),
  max: z.number().nullable(),
  integer: z.boolean(),
  overridden: z.boolean(),
  learned: z.object({ value: z.union([z.number(), z.string()]), note: z.string() }).nullable().describe("what the resident's own history says, beside the plan's value"),
});
const PlanChangeSchema = z.object({ at: z.string(), userId: z.string(), userName: z.string().nullable(), setting: z.string(), from: z.unknown(), to: z.unknown() });
const NoteSchema = z.object({ id: z.string(), at: z.string(), authorId: z.string(), authorName: z.string().nullable(), text: z.string() });
const AlertHistorySchema = z.object({
  id: z.string(),
  type: z.string(),
  severity: z.string(),
  state: z.string(),
  occurredAt: z.string(),
  raisedAt: z.string(),
  closedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  summary: z.string().nullable(),
  cause: z.record(z.string(), z.unknown()),
  notes: z.array(z.object({ at: z.string(), action: z.string(), by: z.string().nullable(), text: z.string() })),
});
const PageSchema = z.object({
  resident: z.object({ id: z.string(), name: z.string(), timezone: z.string(), neighbourhoodId: z.string(), hubId: z.string().nullable(), coordinatorId: z.string().nullable(), coordinatorName: z.string().nullable(), away: z.boolean() }),
  today: z.string().describe("today in the resident's time zone"),
  canEdit: z.boolean(),
  status: CaseloadEntrySchema,
  plan: z.array(SettingSchema),
  planHistory: z.array(PlanChangeSchema),
  away: AwaySchema.nullable(),
  awayHistory: z.array(AwaySchema),
  contacts: z.array(ContactSchema),
  consent: z.object({ monitoring: z.boolean(), shareWithContacts: z.boolean(), note: z.string().optional(), recordedAt: z.string(), recordedBy: z.string(), recordedByName: z.string().nullable() }),
  routineChanges: z.array(AlertHistorySchema).describe('routine-change alerts, newest first, with the figures behind them'),
  alerts: z.array(AlertHistorySchema).describe('alert history, newest first, with outcomes and notes'),
  notes: z.array(NoteSchema).describe('notes for the MDT'),
});

/** The answer of GET /api/residents/:id/page. */
export type ResidentPage = z.infer<typeof PageSchema>;
/** One plan setting on the resident page. */
export type PlanSettingRow = z.infer<typeof SettingSchema>;

/**
 * A resident's page for the coordinator: status, the plan (every setting with
 * bounds, learned values beside, who changed what), away mode with end date and
 * reason, contacts, consent with who recorded it, routine changes and alert
 * history, and MDT notes. Trends come from /api/residents/:id/trends.
 */
export const residentPageRoutes: FastifyPluginAsyncZod<{ trends: TrendService; store: EventStore }> = async (app, { trends, store }) => {
  const { db, directory, clock, audit, core } = app.hearth;
  const away = new AwayMode(db, directory, () => clock.now());
  const caseload = new Caseload({ db, directory, trends, store, clock, away });
  const history = new PlanHistory(db);
  const notes = new MdtNotes(db, () => clock.now());

  let timer: TimerHandle | undefined;
  const loop = (): void => {
    away.expire().catch((err: unknown) => app.log.error({ err }, 'ending away periods failed; will retry'));
    timer = clock.setTimeout(loop, AWAY_EXPIRY_EVERY_MS);
  };
  timer = clock.setTimeout(loop, AWAY_EXPIRY_EVERY_MS);
  app.addHook('onClose', async () => {
    if (timer) clock.clearTimeout(timer);
  });

  const editable = async (user: UserInfo, id: string) => {
    const r = await caseload.readable(user, id);
    if (user.role !== 'admin' && r.coordinator_id !== user.id) throw new HearthError('HEARTH_ERR_FORBIDDEN', "only the resident's own coordinator or an admin may change this");
    return r;
  };

  const alertHistory = async (orgId: string, residentId: string, limit: number, type?: string) => {
    let q = db.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('resident_id', '=', residentId);
    if (type) q = q.where('type', '=', type);
    const rows = await q.orderBy('raised_at', 'desc').limit(limit).execute();
    const logs = rows.length
      ? await db.selectFrom('alert_log').leftJoin('users', 'users.id', 'alert_log.actor').select(['alert_log.alert_id', 'alert_log.at', 'alert_log.action', 'alert_log.actor', 'users.display_name', 'alert_log.detail']).where('alert_log.alert_id', 'in', rows.map((r) => r.id)).orderBy('alert_log.id').execute()
      : [];
    return rows.map((row) => {
      const a = toAlertView(row);
      const own = logs.filter((l) => l.alert_id === row.id);
      const notesOf = own.flatMap((l) => {
        let d: unknown;
        try {
          d = JSON.parse(l.detail);
        } catch {
          return [];
        }
        const text = (d as { note?: unknown; text?: unknown } | null)?.note ?? (d as { text?: unknown } | null)?.text;
        return typeof text === 'string' && text ? [{ at: new Date(l.at).toISOString(), action: l.action, by: l.display_name ?? l.actor, text }] : [];
      });
      return {
        id: a.id,
        type: a.type,
        severity: a.severity,
        state: a.state,
        occurredAt: a.occurredAt,
        raisedAt: a.raisedAt,
        closedAt: a.closedAt,
        outcome: a.outcome,
        summary: typeof a.cause['summary'] === 'string' ? a.cause['summary'] : null,
        cause: a.cause,
        notes: notesOf,
      };
    });
  };

  const page = async (user: UserInfo, id: string) => {
    await away.expire();
    const row = await caseload.readable(user, id);
    const detail = await directory.getResident(user.orgId, id);
    const ref = refOf(row);
    const today = localDay(row.timezone, clock.now());
    const [status, planHistory, current, awayHistory, routineChanges, alertList, noteList, trendToday, coordinator, recorder] = await Promise.all([
      caseload.entry(row),
      history.list(user.orgId, id),
      away.current(user.orgId, id),
      away.list(user.orgId, id),
      alertHistory(user.orgId, id, 50, 'routine-change'),
      alertHistory(user.orgId, id, 200),
      notes.list(user.orgId, id),
      trends.trends(ref, today, today),
      row.coordinator_id ? db.selectFrom('users').select('display_name').where('id', '=', row.coordinator_id).executeTakeFirst() : undefined,
      db.selectFrom('users').select('display_name').where('id', '=', detail.consent.recordedBy).executeTakeFirst(),
    ]);
    const learned = learnedValues({ snapshot: row.hub_id ? core.snapshotHome(row.hub_id) : undefined, today: trendToday.days[0]?.figures });
    return {
      resident: { id: row.id, name: row.name, timezone: row.timezone, neighbourhoodId: row.neighbourhood_id, hubId: row.hub_id, coordinatorId: row.coordinator_id, coordinatorName: coordinator?.display_name ?? null, away: row.away === 1 },
      today,
      canEdit: user.role === 'admin' || (user.role === 'coordinator' && row.coordinator_id === user.id),
      status,
      plan: planSettings(detail.planOverrides).map((s) => ({ ...s, learned: learned[s.key] ?? null })),
      planHistory,
      // Away mode set or ended through the older PUT /api/residents/:id/away (no period) follows the resident's flag.
      away: row.away === 1 ? current : null,
      awayHistory,
      contacts: detail.contacts,
      consent: { ...detail.consent, recordedByName: recorder?.display_name ?? null },
      routineChanges,
      alerts: alertList,
      notes: noteList,
    };
  };

  app.get(
    '/api/residents/:id/page',
    {
      config: { roles: PAGE_READERS },
      schema: { summary: "A resident's page for the coordinator: status, plan with bounds and learned values, history, away, contacts, consent, alerts, MDT notes", tags: ['coordinator'], params: Params, response: { 200: PageSchema, 404: ErrorSchema, ...authErrors } },
    },
    async (req) => {
      const user = userOf(req);
      const body = await page(user, req.params.id);
      await audit.record(user, 'residents.page', [req.params.id]);
      return body;
    },
  );

  app.patch(
    '/api/residents/:id/plan-settings',
    {
      config: { roles: EDITORS },
      schema: {
        summary: "Change monitoring plan settings within the care model's bounds (null restores the default); every change is recorded with who made it",
        tags: ['coordinator'],
        params: Params,
        body: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
        response: { 200: z.object({ plan: z.array(SettingSchema.omit({ learned: true })), planHistory: z.array(PlanChangeSchema) }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await editable(user, req.params.id);
      checkPlanPatch(req.body);
      const before = (await directory.getResident(user.orgId, req.params.id)).planOverrides;
      const after = await directory.updatePlan(user.orgId, req.params.id, req.body);
      await history.record({ orgId: user.orgId, residentId: req.params.id, userId: user.id, at: clock.now(), before, after: after.planOverrides });
      return { plan: planSettings(after.planOverrides), planHistory: await history.list(user.orgId, req.params.id) };
    },
  );

  app.put(
    '/api/residents/:id/away-mode',
    {
      config: { roles: EDITORS },
      schema: {
        summary: 'Away mode with an end date (last local day away, inclusive) and a reason; inactivity rules pause, door and fall rules do not',
        tags: ['coordinator'],
        params: Params,
        body: z.object({ away: z.boolean(), until: Day.optional(), reason: z.string().max(500).optional() }),
        response: { 200: z.object({ away: AwaySchema.nullable(), awayHistory: z.array(AwaySchema) }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await editable(user, req.params.id);
      const current = await away.set(user.orgId, req.params.id, req.body, user.id);
      return { away: current, awayHistory: await away.list(user.orgId, req.params.id) };
    },
  );

  app.get(
    '/api/residents/:id/notes',
    {
      config: { roles: PAGE_READERS },
      schema: { summary: "A resident's notes for the MDT, newest first", tags: ['coordinator'], params: Params, response: { 200: z.object({ notes: z.array(NoteSchema) }), 404: ErrorSchema, ...authErrors } },
    },
    async (req) => {
      const user = userOf(req);
      await caseload.readable(user, req.params.id);
      const list = await notes.list(user.orgId, req.params.id);
      await audit.record(user, 'residents.notes', [req.params.id]);
      return { notes: list };
    },
  );

  app.post(
    '/api/residents/:id/notes',
    {
      config: { roles: EDITORS },
      schema: {
        summary: 'Add a note for the MDT, kept with the resident',
        tags: ['coordinator'],
        params: Params,
        body: z.object({ text: z.string().trim().min(1).max(4000) }),
        response: { 201: z.object({ note: NoteSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      await editable(user, req.params.id);
      reply.status(201);
      return { note: await notes.add(user.orgId, req.params.id, user.id, req.body.text) };
    },
  );
};
