import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import { CLOCKS, PRESSING } from '../routing/table.ts';
import { localTime } from '../trends/local-time.ts';

/** The monitoring centre standard: share of urgent and high alerts acknowledged within 60 s. */
export const ACK_STANDARD = 0.985;
/** The urgent community response standard: share of urgent responses on site within two hours. */
export const ON_SITE_STANDARD = 0.7;

const Interval = z.object({ count: z.number().int(), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() });

/** A neighbourhood's service report for one month (local calendar month in its time zone). */
export const ServiceReportSchema = z.object({
  neighbourhood: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
  month: z.string(),
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  alerts: z.object({ total: z.number().int(), byType: z.record(z.string(), z.number().int()) }),
  acknowledgement: z.object({
    eligible: z.number().int(),
    within60s: z.number().int(),
    share: z.number().nullable(),
    standard: z.number(),
    met: z.boolean().nullable(),
  }),
  urgentResponse: z.object({
    eligible: z.number().int(),
    onSiteWithin2h: z.number().int(),
    share: z.number().nullable(),
    standard: z.number(),
    met: z.boolean().nullable(),
    breaches: z.number().int(),
  }),
  intervals: z.object({ fallToAcknowledge: Interval, acknowledgeToDispatch: Interval, dispatchToOnSite: Interval }),
});
/** A service report. */
export type ServiceReport = z.infer<typeof ServiceReportSchema>;

/** The q-quantile of sorted values by linear interpolation between closest ranks (Hyndman and Fan type 7, as in R and NumPy). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function interval(valuesMs: number[]): z.infer<typeof Interval> {
  const s = valuesMs.map((v) => v / 1000).sort((a, b) => a - b);
  return { count: s.length, medianSeconds: quantile(s, 0.5), p90Seconds: quantile(s, 0.9) };
}

/** The instant of local midnight starting the 1st of a month (month 1-12, may be 13 for next January) in a time zone. */
export function monthStart(year: number, month: number, timezone: string): number {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12) + 1;
  return localTime(timezone, `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01`, 0);
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The report as CSV: `metric,value` rows. */
export function reportCsv(r: ServiceReport): string {
  const rows: [string, unknown][] = [
    ['neighbourhood', r.neighbourhood.name],
    ['neighbourhood_id', r.neighbourhood.id],
    ['month', r.month],
    ['from', r.from],
    ['to', r.to],
    ['generated_at', r.generatedAt],
    ['alerts_total', r.alerts.total],
    ...Object.entries(r.alerts.byType).map(([t, n]): [string, unknown] => [`alerts_${t}`, n]),
    ['ack_eligible', r.acknowledgement.eligible],
    ['ack_within_60s', r.acknowledgement.within60s],
    ['ack_within_60s_share', r.acknowledgement.share],
    ['ack_standard', r.acknowledgement.standard],
    ['ack_standard_met', r.acknowledgement.met],
    ['response_eligible', r.urgentResponse.eligible],
    ['response_on_site_within_2h', r.urgentResponse.onSiteWithin2h],
    ['response_on_site_within_2h_share', r.urgentResponse.share],
    ['response_standard', r.urgentResponse.standard],
    ['response_standard_met', r.urgentResponse.met],
    ['response_breaches', r.urgentResponse.breaches],
  ];
  for (const [name, key] of [
    ['fall_to_ack', 'fallToAcknowledge'],
    ['ack_to_dispatch', 'acknowledgeToDispatch'],
    ['dispatch_to_on_site', 'dispatchToOnSite'],
  ] as const) {
    const i = r.intervals[key];
    rows.push([`${name}_count`, i.count], [`${name}_median_s`, i.medianSeconds], [`${name}_p90_s`, i.p90Seconds]);
  }
  return ['metric,value', ...rows.map(([k, v]) => `${csvCell(k)},${csvCell(v)}`)].join('\r\n') + '\r\n';
}

/**
 * Service reports per neighbourhood and month, from the alerts raised in that
 * local calendar month (their neighbourhood is recorded when raised).
 *
 * - Acknowledged within 60 s: of urgent and high alerts, less those stood down
 *   (cancelled) within 60 s unacknowledged and those under 60 s old unacknowledged now.
 * - On site within two hours: of dispatched alerts, those with an on-site time
 *   or whose two hours have run out; one closed before either is left out (stood down).
 * - Intervals: fall (sensor time) to acknowledgement for falls; acknowledgement
 *   to dispatch and dispatch to on site for all; median and 90th percentile by
 *   linear interpolation.
 */
export class ServiceReports {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** The report of one neighbourhood of an organisation for a month "YYYY-MM". */
  async compute(orgId: string, neighbourhoodId: string, month: string): Promise<ServiceReport> {
    const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
    if (!m) throw new HearthError('HEARTH_ERR_VALIDATION', 'month must be YYYY-MM');
    const nb = await this.db.selectFrom('neighbourhoods').selectAll().where('id', '=', neighbourhoodId).executeTakeFirst();
    if (!nb || nb.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such neighbourhood');
    const year = Number(m[1]);
    const mon = Number(m[2]);
    const from = monthStart(year, mon, nb.timezone);
    const to = monthStart(year, mon + 1, nb.timezone);
    const now = this.now();
    const rows = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('neighbourhood_id', '=', neighbourhoodId)
      .where('raised_at', '>=', from)
      .where('raised_at', '<', to)
      .execute();

    const byType: Record<string, number> = {};
    for (const r of rows) byType[r.type] = (byType[r.type] ?? 0) + 1;

    let ackEligible = 0;
    let ackWithin = 0;
    for (const r of rows) {
      if (!PRESSING.includes(r.severity as never)) continue;
      const acked = r.acknowledged_at !== null;
      if (!acked && r.state === 'cancelled' && r.closed_at !== null && r.closed_at - r.raised_at <= CLOCKS.ackEscalationMs) continue;
      if (!acked && now - r.raised_at < CLOCKS.ackEscalationMs) continue;
      ackEligible++;
      if (acked && r.acknowledged_at! - r.raised_at <= CLOCKS.ackEscalationMs) ackWithin++;
    }

    let respEligible = 0;
    let respWithin = 0;
    let breaches = 0;
    for (const r of rows) {
      if (r.dispatched_at === null) continue;
      if (r.response_breached_at !== null) breaches++;
      const deadline = r.dispatched_at + CLOCKS.responseBreachMs;
      if (r.on_site_at !== null) {
        respEligible++;
        if (r.on_site_at <= deadline) respWithin++;
      } else if (now > deadline && !(r.closed_at !== null && r.closed_at <= deadline)) {
        respEligible++;
      }
    }

    const share = (a: number, b: number): number | null => (b ? a / b : null);
    const ackShare = share(ackWithin, ackEligible);
    const respShare = share(respWithin, respEligible);
    return {
      neighbourhood: { id: nb.id, name: nb.name, timezone: nb.timezone },
      month,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      generatedAt: new Date(now).toISOString(),
      alerts: { total: rows.length, byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))) },
      acknowledgement: { eligible: ackEligible, within60s: ackWithin, share: ackShare, standard: ACK_STANDARD, met: ackShare === null ? null : ackShare >= ACK_STANDARD },
      urgentResponse: {
        eligible: respEligible,
        onSiteWithin2h: respWithin,
        share: respShare,
        standard: ON_SITE_STANDARD,
        met: respShare === null ? null : respShare >= ON_SITE_STANDARD,
        breaches,
      },
      intervals: {
        fallToAcknowledge: interval(rows.filter((r) => r.type === 'fall' && r.acknowledged_at !== null).map((r) => r.acknowledged_at! - r.occurred_at)),
        acknowledgeToDispatch: interval(rows.filter((r) => r.dispatched_at !== null && r.acknowledged_at !== null).map((r) => r.dispatched_at! - r.acknowledged_at!)),
        // On site recorded by someone else on the responder's behalf (on_site_proxy) is not a measured arrival: left out.
        dispatchToOnSite: interval(rows.filter((r) => r.dispatched_at !== null && r.on_site_at !== null && r.on_site_proxy !== 1).map((r) => r.on_site_at! - r.dispatched_at!)),
      },
    };
  }
}
