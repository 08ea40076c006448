import { z } from 'zod';

/** The roles of the care model. */
export const ROLES = ['operator', 'responder', 'coordinator', 'installer', 'admin'] as const;
/** A user's role. */
export type Role = (typeof ROLES)[number];

/** Alert severities, most pressing first. */
export const SEVERITIES = ['urgent', 'high', 'routine', 'technical'] as const;
/** An alert's severity. */
export type Severity = (typeof SEVERITIES)[number];

/** Who an alert goes to first. */
export type Route = 'operator' | 'urgent-response' | 'coordinator' | 'installer';

/** One row of the care model's alert table. */
export interface AlertTypeInfo {
  severity: Severity;
  firstRoute: Route[];
  /** A person's "I'm OK" may cancel it within the cancel window. */
  cancellable: boolean;
}

/** The care model's alert table, as data. */
export const ALERT_TYPES = {
  fall: { severity: 'urgent', firstRoute: ['operator', 'urgent-response'], cancellable: false },
  call: { severity: 'urgent', firstRoute: ['operator'], cancellable: true },
  'long-lie': { severity: 'urgent', firstRoute: ['urgent-response'], cancellable: false },
  'night-exit': { severity: 'urgent', firstRoute: ['operator'], cancellable: false },
  smoke: { severity: 'urgent', firstRoute: ['operator'], cancellable: false },
  water: { severity: 'urgent', firstRoute: ['operator'], cancellable: false },
  inactivity: { severity: 'high', firstRoute: ['operator'], cancellable: false },
  'not-up': { severity: 'high', firstRoute: ['operator'], cancellable: false },
  'not-home': { severity: 'high', firstRoute: ['operator'], cancellable: false },
  'cold-home': { severity: 'routine', firstRoute: ['coordinator'], cancellable: false },
  'routine-change': { severity: 'routine', firstRoute: ['coordinator'], cancellable: false },
  'hub-offline': { severity: 'technical', firstRoute: ['installer', 'operator'], cancellable: false },
  'sensor-silent': { severity: 'technical', firstRoute: ['installer', 'operator'], cancellable: false },
  'low-battery': { severity: 'technical', firstRoute: ['installer', 'operator'], cancellable: false },
  power: { severity: 'technical', firstRoute: ['installer', 'operator'], cancellable: false },
  tamper: { severity: 'technical', firstRoute: ['installer', 'operator'], cancellable: false },
} as const satisfies Record<string, AlertTypeInfo>;

/** An alert type name. */
export type AlertType = keyof typeof ALERT_TYPES;

/** Alert lifecycle states; the first four are "open". */
export const ALERT_STATES = ['raised', 'acknowledged', 'dispatched', 'on-site', 'resolved', 'cancelled'] as const;
/** An alert's lifecycle state. */
export type AlertState = (typeof ALERT_STATES)[number];
/** States in which an alert is still open. */
export const OPEN_STATES: readonly AlertState[] = ['raised', 'acknowledged', 'dispatched', 'on-site'];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM');

/** A resident's monitoring plan; every value has the care model's default. */
export const MonitoringPlanSchema = z.object({
  nightStart: hhmm.default('23:00'),
  nightEnd: hhmm.default('07:00'),
  usualRising: hhmm.default('08:00'),
  inactivityCeilingMinutes: z.number().int().min(15).max(24 * 60).default(240),
  notUpMarginMinutes: z.number().int().min(0).max(12 * 60).default(120),
  longLieMinutes: z.number().int().min(1).max(240).default(20),
  bathroomDwellMinutes: z.number().int().min(5).max(600).default(60),
  nightExitMinutes: z.number().int().min(1).max(240).default(15),
  coldBelowC: z.number().min(0).max(30).default(16),
  coldForMinutes: z.number().int().min(10).max(24 * 60).default(120),
  outOfHomeMinutes: z.number().int().min(1).max(240).default(10),
  notHomeGraceMinutes: z.number().int().min(0).max(12 * 60).default(60),
  callCancelSeconds: z.number().int().min(0).max(15 * 60).default(120),
  fallConfidenceMin: z.number().min(0).max(1).default(0.5),
  heartbeatMissed: z.number().int().min(1).max(100).default(3),
  /** Inactivity's false-alarm budget: the threshold is set so the resident's own history would have raised at most this many a month (docs/detection-rules.md). */
  falseAlarmBudgetPerMonth: z.number().min(0.1).max(30).default(1),
});
/** A full monitoring plan (defaults filled in). */
export type MonitoringPlan = z.infer<typeof MonitoringPlanSchema>;

/** The plan with every default, merged with a resident's overrides. */
export function planWithDefaults(overrides: unknown = {}): MonitoringPlan {
  return MonitoringPlanSchema.parse(overrides ?? {});
}
