import type { z } from 'zod';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import { MonitoringPlanSchema, planWithDefaults, type MonitoringPlan } from './model.ts';

/** The unit a plan setting is given in. */
export type PlanUnit = 'minutes' | 'seconds' | 'clock' | 'celsius' | 'ratio' | 'count';

/** How the console and the API describe a plan setting. */
export interface PlanSettingInfo {
  label: string;
  unit: PlanUnit;
  help: string;
}

/** How the console and the API describe each plan setting, as data (bounds come from MonitoringPlanSchema; a setting added there without a row here is shown by its name). */
const KNOWN_SETTINGS: Partial<Record<keyof MonitoringPlan, PlanSettingInfo>> = {
  nightStart: { label: 'Night starts', unit: 'clock', help: 'From this local time, a door opening is a night exit and bathroom visits count as night-time.' },
  nightEnd: { label: 'Night ends', unit: 'clock', help: 'The night window closes at this local time.' },
  usualRising: { label: 'Usual rising time', unit: 'clock', help: 'Until the routine is learned, "not up" is counted from this time.' },
  inactivityCeilingMinutes: { label: 'Longest quiet spell allowed', unit: 'minutes', help: 'No movement for this long raises "inactivity", whatever was learned.' },
  notUpMarginMinutes: { label: 'Not up: margin after rising time', unit: 'minutes', help: 'No movement by the rising time plus this margin raises "not up".' },
  longLieMinutes: { label: 'Long lie after a fall', unit: 'minutes', help: 'No movement this long after a fall or call raises "long lie".' },
  bathroomDwellMinutes: { label: 'Longest bathroom visit', unit: 'minutes', help: 'A bathroom stay longer than this (or than the learned usual) raises an alert.' },
  nightExitMinutes: { label: 'Night exit: not back within', unit: 'minutes', help: 'Out of the door at night and not back within this raises "night exit".' },
  coldBelowC: { label: 'Cold home below', unit: 'celsius', help: 'Indoor temperature below this, for the time below, raises "cold home".' },
  coldForMinutes: { label: 'Cold home for', unit: 'minutes', help: 'How long it must stay cold.' },
  outOfHomeMinutes: { label: 'Out of the home after', unit: 'minutes', help: 'A door closing with no movement inside within this counts as going out.' },
  notHomeGraceMinutes: { label: 'Not home: grace', unit: 'minutes', help: 'Out past the expected return by this raises "not home".' },
  callCancelSeconds: { label: 'Call cancel window', unit: 'seconds', help: 'A pendant call may be cancelled by the resident within this.' },
  fallConfidenceMin: { label: 'Fall sensor confidence at least', unit: 'ratio', help: 'Fall reports less confident than this (0 to 1) are ignored.' },
  heartbeatMissed: { label: 'Hub heartbeats missed before "offline"', unit: 'count', help: 'Missed heartbeats in a row before the hub counts as offline.' },
  falseAlarmBudgetPerMonth: { label: 'Inactivity false alarms allowed a month', unit: 'count', help: "The learned inactivity threshold is set so the resident's own history would have raised at most this many a month." },
};

/** Every setting of MonitoringPlanSchema with its label, unit and help. */
export const PLAN_SETTING_INFO = Object.fromEntries(
  (Object.keys(MonitoringPlanSchema.shape) as (keyof MonitoringPlan)[]).map((k) => [
    k,
    KNOWN_SETTINGS[k] ?? { label: k, unit: /Minutes$/.test(k) ? 'minutes' : /Seconds$/.test(k) ? 'seconds' : 'count', help: '' },
  ]),
) as Record<keyof MonitoringPlan, PlanSettingInfo>;

/** One plan setting as the resident page shows it: value, default, bounds, unit, and whether it is the resident's own. */
export interface PlanSettingView {
  key: keyof MonitoringPlan;
  label: string;
  unit: PlanUnit;
  help: string;
  value: number | string;
  default: number | string;
  /** Inclusive bounds of numeric settings; clock settings are any HH:MM. */
  min: number | null;
  max: number | null;
  integer: boolean;
  overridden: boolean;
}

interface Bounds {
  min: number | null;
  max: number | null;
  integer: boolean;
  default: number | string;
}

function boundsOf(key: keyof MonitoringPlan): Bounds {
  const field = MonitoringPlanSchema.shape[key] as unknown as { unwrap(): z.ZodType; _zod: { def: { defaultValue: unknown } } };
  const inner = field.unwrap() as unknown as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  const num = typeof inner.minValue === 'number' || typeof inner.maxValue === 'number';
  return { min: num ? (inner.minValue ?? null) : null, max: num ? (inner.maxValue ?? null) : null, integer: Boolean(inner.isInt), default: field._zod.def.defaultValue as number | string };
}

/** Every plan setting's bounds, read once from the care model's schema. */
export const PLAN_BOUNDS: Record<keyof MonitoringPlan, Bounds> = Object.fromEntries(
  (Object.keys(MonitoringPlanSchema.shape) as (keyof MonitoringPlan)[]).map((k) => [k, boundsOf(k)]),
) as Record<keyof MonitoringPlan, Bounds>;

const UNIT_WORDS: Record<PlanUnit, string> = { minutes: 'minutes', seconds: 'seconds', clock: '(HH:MM)', celsius: '°C', ratio: '(0 to 1)', count: '' };

/** The plan's settings for the resident page. */
export function planSettings(overrides: Record<string, unknown>): PlanSettingView[] {
  const plan = planWithDefaults(overrides);
  return (Object.keys(PLAN_SETTING_INFO) as (keyof MonitoringPlan)[]).map((key) => {
    const b = PLAN_BOUNDS[key];
    return { key, ...PLAN_SETTING_INFO[key], value: plan[key], default: b.default, min: b.min, max: b.max, integer: b.integer, overridden: key in overrides && overrides[key] !== null };
  });
}

/**
 * Check a plan patch against the care model's bounds before anything is
 * written: an unknown setting is HEARTH_ERR_VALIDATION; a value outside its
 * bounds (or of the wrong kind) is HEARTH_ERR_PLAN_BOUNDS naming the setting,
 * its bounds and unit. null restores a default and is always allowed.
 */
export function checkPlanPatch(patch: Record<string, unknown>): void {
  const unknown = Object.keys(patch).filter((k) => !(k in PLAN_SETTING_INFO));
  if (unknown.length) throw new HearthError('HEARTH_ERR_VALIDATION', `unknown plan settings: ${unknown.join(', ')}`);
  const problems: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) continue;
    const key = k as keyof MonitoringPlan;
    const info = PLAN_SETTING_INFO[key];
    const b = PLAN_BOUNDS[key];
    if (info.unit === 'clock') {
      if (typeof v !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) problems.push(`${k} must be a local time HH:MM (got ${JSON.stringify(v)})`);
      continue;
    }
    const range = `${b.min} to ${b.max}${UNIT_WORDS[info.unit] ? ` ${UNIT_WORDS[info.unit]}` : ''}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${k} must be a number from ${range} (got ${JSON.stringify(v)})`);
    else if ((b.min !== null && v < b.min) || (b.max !== null && v > b.max)) problems.push(`${k} must be from ${range} (got ${v})`);
    else if (b.integer && !Number.isInteger(v)) problems.push(`${k} must be a whole number from ${range} (got ${v})`);
  }
  if (problems.length) throw new HearthError('HEARTH_ERR_PLAN_BOUNDS', problems.join('; '));
}

/** One recorded plan change. */
export interface PlanChange {
  at: string;
  userId: string;
  userName: string | null;
  setting: string;
  /** null: the care model's default. */
  from: unknown;
  to: unknown;
}

/** Who changed which plan setting and when: an append-only table (the database refuses updates and deletes). */
export class PlanHistory {
  constructor(private readonly db: Db) {}

  /** Record the settings that differ between two override sets (null = default). */
  async record(input: { orgId: string; residentId: string; userId: string; at: number; before: Record<string, unknown>; after: Record<string, unknown> }): Promise<number> {
    const keys = [...new Set([...Object.keys(input.before), ...Object.keys(input.after)])].sort();
    const rows = keys
      .map((k) => ({ k, a: input.before[k] ?? null, b: input.after[k] ?? null }))
      .filter(({ a, b }) => JSON.stringify(a) !== JSON.stringify(b))
      .map(({ k, a, b }) => ({
        resident_id: input.residentId,
        org_id: input.orgId,
        at: input.at,
        user_id: input.userId,
        setting: k,
        old_value: a === null ? null : JSON.stringify(a),
        new_value: b === null ? null : JSON.stringify(b),
      }));
    if (rows.length) await this.db.insertInto('plan_changes').values(rows).execute();
    return rows.length;
  }

  /** A resident's plan changes, newest first. */
  async list(orgId: string, residentId: string, limit = 200): Promise<PlanChange[]> {
    const rows = await this.db
      .selectFrom('plan_changes')
      .leftJoin('users', 'users.id', 'plan_changes.user_id')
      .select(['plan_changes.at', 'plan_changes.user_id', 'users.display_name', 'plan_changes.setting', 'plan_changes.old_value', 'plan_changes.new_value'])
      .where('plan_changes.org_id', '=', orgId)
      .where('plan_changes.resident_id', '=', residentId)
      .orderBy('plan_changes.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      userId: r.user_id,
      userName: r.display_name ?? null,
      setting: r.setting,
      from: r.old_value === null ? null : (JSON.parse(r.old_value) as unknown),
      to: r.new_value === null ? null : (JSON.parse(r.new_value) as unknown),
    }));
  }
}
