import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Role } from '../care/model.ts';
import { HearthError } from '../errors.ts';
import { addDays, daysBetween, parseDay } from '../trends/local-time.ts';
import { FIGURES, MAX_RANGE_DAYS, type FigureName, type Heatmap, type ResidentRef, type TrendDay, type TrendService } from '../trends/trend-service.ts';
import { FIGURE_UNITS, UNIT_MEANING, clockText, unitsBlock } from '../trends/units.ts';
import type { UserInfo } from '../care/directory.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

/** Roles that may read residents' trends (coordinators only their own residents). */
export const TREND_READERS: readonly Role[] = ['coordinator', 'operator', 'admin'];

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD').refine((d) => {
  try {
    const p = parseDay(d);
    return addDays(d, 0) === d && p.month >= 1;
  } catch {
    return false;
  }
}, 'not a calendar date').refine((d) => d >= '1970-01-01' && d <= '2199-12-31', 'dates from 1970 to 2199 only');

const Params = z.object({ id: z.string().min(1).max(64) });
const Range = z.object({
  from: Day.optional().describe('first local day (default: 29 days before `to`)'),
  to: Day.optional().describe("last local day (default: today in the resident's time zone)"),
});

const UsualSchema = z.object({ median: z.number(), q1: z.number(), q3: z.number(), n: z.number() }).describe('median and interquartile range over the 28 days before');
const UnitSchema = z.enum(['count', 'minutes', 'clock', 'celsius', 'ratio']).describe(Object.entries(UNIT_MEANING).map(([u, m]) => `${u}: ${m}`).join('; '));
const PointSchema = z.object({
  value: z.number().nullable(),
  usual: UsualSchema.nullable(),
  unusual: z.boolean(),
  unit: UnitSchema,
  local: z.string().nullable().optional().describe('clock figures only: the value as local HH:MM'),
  usualLocal: z.object({ median: z.string(), q1: z.string(), q3: z.string() }).nullable().optional().describe('clock figures only: the usual range as local HH:MM'),
});
const HeatmapSchema = z.object({
  days: z.array(z.string()),
  hours: z.array(z.array(z.number()).nullable()).describe('activity events per local hour of day (0 to 23), per day; null without data'),
  usual: z.array(UsualSchema.nullable()).describe('usual activity per hour of day over the 28 days before the range'),
});
const figureShape = Object.fromEntries(
  (Object.keys(FIGURES) as FigureName[]).map((k) => [k, PointSchema.describe(`${FIGURE_UNITS[k].label}: ${FIGURE_UNITS[k].description} (unit: ${FIGURE_UNITS[k].unit})`)]),
) as Record<FigureName, typeof PointSchema>;
const UnitsSchema = z
  .object({
    figures: z.record(z.string(), z.object({ unit: UnitSchema, label: z.string(), description: z.string() })),
    rooms: z.object({ unit: z.literal('minutes') }),
    heatmap: z.object({ unit: z.literal('count') }),
    units: z.record(z.string(), z.string()),
  })
  .describe('the unit and meaning of every figure');

type Point = { value: number | null; usual: { median: number; q1: number; q3: number; n: number } | null; unusual: boolean };
/** A point with its unit (and, for clock times, local HH:MM). */
function withUnit(name: FigureName | 'room', p: Point) {
  const unit = name === 'room' ? ('minutes' as const) : FIGURE_UNITS[name].unit;
  if (unit !== 'clock') return { ...p, unit };
  return {
    ...p,
    unit,
    local: p.value === null ? null : clockText(p.value),
    usualLocal: p.usual ? { median: clockText(p.usual.median), q1: clockText(p.usual.q1), q3: clockText(p.usual.q3) } : null,
  };
}

/** A trends answer's days with units on every figure. */
export function daysWithUnits(days: TrendDay[]) {
  return days.map((d) => ({
    ...d,
    figures: Object.fromEntries(Object.entries(d.figures).map(([k, p]) => [k, withUnit(k as FigureName, p)])) as Record<FigureName, ReturnType<typeof withUnit>>,
    rooms: Object.fromEntries(Object.entries(d.rooms).map(([k, p]) => [k, withUnit('room', p)])),
  }));
}
const TrendDaySchema = z.object({
  day: z.string(),
  source: z.enum(['summary', 'live', 'none']),
  figures: z.object(figureShape),
  rooms: z.record(z.string(), PointSchema).describe('minutes in each room (unit: minutes)'),
  sensorUptime: z.record(z.string(), z.number()),
});

/** The answer of GET /api/residents/:id/trends (for the console's type-only import). */
export interface TrendsResponse {
  residentId: string;
  timezone: string;
  from: string;
  to: string;
  units: ReturnType<typeof unitsBlock>;
  days: ReturnType<typeof daysWithUnits>;
  heatmap: Heatmap;
}

/** Who may see a resident's trends: same organisation; coordinators only their own residents. */
export function canSeeResident(user: UserInfo, r: ResidentRef): boolean {
  if (r.orgId !== user.orgId) return false;
  return user.role !== 'coordinator' || r.coordinatorId === user.id;
}

/** Residents' trends: activity heatmap and daily figures, each with the usual range. */
export const trendRoutes: FastifyPluginAsyncZod<{ trends: TrendService }> = async (app, { trends }) => {
  const { audit } = app.hearth;

  // A lead coordinator also sees their neighbourhood's residents (server/src/care/caseload.ts).
  const leadSees = async (user: UserInfo, r: ResidentRef): Promise<boolean> => {
    if (user.role !== 'coordinator' || r.orgId !== user.orgId) return false;
    const lead = await app.hearth.db.selectFrom('coordinator_leads').select('user_id').where('user_id', '=', user.id).executeTakeFirst();
    if (!lead) return false;
    if (!user.neighbourhoodId) return true;
    const row = await app.hearth.db.selectFrom('residents').select('neighbourhood_id').where('id', '=', r.id).executeTakeFirst();
    return row?.neighbourhood_id === user.neighbourhoodId;
  };

  const resolve = async (req: Parameters<typeof userOf>[0], id: string, q: { from?: string | undefined; to?: string | undefined }) => {
    const user = userOf(req);
    const r = await trends.resident(id);
    if (!r || !(canSeeResident(user, r) || (await leadSees(user, r)))) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    const to = q.to ?? trends.today(r);
    const from = q.from ?? addDays(to, -29);
    if (from > to) throw new HearthError('HEARTH_ERR_VALIDATION', '`from` must not be after `to`');
    if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw new HearthError('HEARTH_ERR_VALIDATION', `a range covers at most ${MAX_RANGE_DAYS} days`);
    return { user, r, from, to };
  };

  app.get(
    '/api/residents/:id/trends',
    {
      config: { roles: TREND_READERS },
      schema: {
        summary: "A resident's daily trends (local time), each figure with the resident's usual range",
        tags: ['trends'],
        params: Params,
        querystring: Range,
        response: {
          200: z.object({ residentId: z.string(), timezone: z.string(), from: z.string(), to: z.string(), units: UnitsSchema, days: z.array(TrendDaySchema), heatmap: HeatmapSchema }),
          400: ErrorSchema,
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { user, r, from, to } = await resolve(req, req.params.id, req.query);
      const answer = await trends.trends(r, from, to);
      await audit.record(user, 'trends.read', [r.id]);
      return { residentId: r.id, timezone: r.timezone, from, to, units: unitsBlock(), days: daysWithUnits(answer.days), heatmap: answer.heatmap };
    },
  );

  app.get(
    '/api/residents/:id/trends/heatmap',
    {
      config: { roles: TREND_READERS },
      schema: {
        summary: "A resident's activity per local hour of day per day, with the usual per hour",
        tags: ['trends'],
        params: Params,
        querystring: Range,
        response: {
          200: z.object({ residentId: z.string(), timezone: z.string(), from: z.string(), to: z.string(), heatmap: HeatmapSchema }),
          400: ErrorSchema,
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { user, r, from, to } = await resolve(req, req.params.id, req.query);
      const heatmap = await trends.heatmap(r, from, to);
      await audit.record(user, 'trends.heatmap', [r.id]);
      return { residentId: r.id, timezone: r.timezone, from, to, heatmap };
    },
  );
};
