import { ALERT_TYPES, SEVERITIES, type AlertType, type Severity } from '../care/model.ts';

/**
 * Who an alert may be routed to. Each target resolves to outbound channels;
 * the WebSocket console is not a target, because it always gets every alert
 * its user may see.
 */
export const ROUTE_TARGETS = [
  'operator',
  'operators-on-shift',
  'urgent-response',
  'out-of-hours',
  'coordinator',
  'supervisor',
  'installer',
  'contacts',
  'dispatched',
] as const;
/** A routing target. */
export type RouteTarget = (typeof ROUTE_TARGETS)[number];

/** When a rule applies: within the urgent response team's hours, outside them, or always. */
export const PERIODS = ['in-hours', 'out-of-hours', 'any'] as const;
/** A rule's period. */
export type Period = (typeof PERIODS)[number];

/** One row of the routing table: match by type or severity (or neither), and a period. */
export interface RoutingRule {
  type?: AlertType | undefined;
  severity?: Severity | undefined;
  period: Period;
  targets: RouteTarget[];
}

/** The care model's clocks, in milliseconds. */
export const CLOCKS = {
  /** An urgent or high alert not acknowledged within 60 s escalates to every operator on shift. */
  ackEscalationMs: 60_000,
  /** Still not acknowledged 60 s later: the supervisor route. */
  ackSupervisorMs: 120_000,
  /** From dispatch: the two-hour clock's warning and breach. */
  responseWarningMs: 90 * 60_000,
  responseBreachMs: 120 * 60_000,
} as const;

/** Deadline kinds, what starts them, and the targets told when one fires (data, like the routing table). */
export const DEADLINES = {
  'ack-escalation': { afterMs: CLOCKS.ackEscalationMs, from: 'raised', targets: ['operators-on-shift'] as RouteTarget[] },
  'ack-supervisor': { afterMs: CLOCKS.ackSupervisorMs, from: 'raised', targets: ['supervisor'] as RouteTarget[] },
  'response-warning': { afterMs: CLOCKS.responseWarningMs, from: 'dispatched', targets: ['dispatched', 'operator'] as RouteTarget[] },
  'response-breach': { afterMs: CLOCKS.responseBreachMs, from: 'dispatched', targets: ['dispatched', 'supervisor'] as RouteTarget[] },
} as const;
/** A deadline kind. */
export type DeadlineKind = keyof typeof DEADLINES;

/** Severities whose alerts run the 60 s acknowledgement clock and are copied to the coordinator. */
export const PRESSING: readonly Severity[] = ['urgent', 'high'];

/** Targets told of other lifecycle changes (the console sees all of them anyway). */
export const CHANGE_TARGETS: Record<string, RouteTarget[]> = {
  dispatched: ['dispatched'],
};

/**
 * The default routing table, from the care model's alert table: each type's
 * first route in the urgent team's hours; outside them the urgent response
 * team is replaced by the organisation's out-of-hours route. Severity rows
 * catch types added later.
 */
export const DEFAULT_ROUTING: readonly RoutingRule[] = [
  ...Object.entries(ALERT_TYPES).flatMap(([type, info]): RoutingRule[] => [
    { type: type as AlertType, period: 'in-hours', targets: [...info.firstRoute] },
    {
      type: type as AlertType,
      period: 'out-of-hours',
      targets: info.firstRoute.map((t): RouteTarget => (t === 'urgent-response' ? 'out-of-hours' : t)),
    },
  ]),
  ...SEVERITIES.map((severity): RoutingRule => ({ severity, period: 'any', targets: severity === 'technical' ? ['installer', 'operator'] : ['operator'] })),
];

/** Minutes since local midnight of an "HH:MM". */
function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Local time of day in a time zone, in minutes since midnight. */
export function localMinutes(at: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

/**
 * Whether `at` falls within the urgent team's hours, local time in the
 * neighbourhood's zone; start inclusive, end exclusive; hours may cross midnight.
 */
export function withinHours(at: number, hours: { urgentStart: string; urgentEnd: string; timezone: string }): boolean {
  const t = localMinutes(at, hours.timezone);
  const s = minutesOf(hours.urgentStart);
  const e = minutesOf(hours.urgentEnd);
  if (s === e) return true; // a 24-hour service
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/**
 * The rule that applies to an alert: the neighbourhood's own rules before the
 * defaults; within each, a type match before a severity match before a
 * catch-all, and a rule for this period before an `any` rule.
 */
export function pickRule(
  rules: { own: readonly RoutingRule[]; defaults: readonly RoutingRule[] },
  alert: { type: string; severity: string },
  period: Exclude<Period, 'any'>,
): RoutingRule | undefined {
  const score = (r: RoutingRule): number => {
    if (r.type !== undefined && r.type !== alert.type) return -1;
    if (r.severity !== undefined && r.severity !== alert.severity) return -1;
    if (r.period !== 'any' && r.period !== period) return -1;
    return (r.type !== undefined ? 4 : r.severity !== undefined ? 2 : 0) + (r.period === period ? 1 : 0);
  };
  for (const set of [rules.own, rules.defaults]) {
    let best: RoutingRule | undefined;
    let bestScore = -1;
    for (const r of set) {
      const s = score(r);
      if (s > bestScore) [best, bestScore] = [r, s];
    }
    if (best) return best;
  }
  return undefined;
}
