import type { Role } from './model.ts';

/** Everything a person can do to an alert. */
export const ALERT_ACTIONS = [
  'see',
  'note',
  'acknowledge',
  'dispatch',
  'assign',
  'en-route',
  'on-site',
  'on-site-for-responder',
  'stand-down',
  'resolve',
] as const;
/** An action on an alert. */
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/**
 * Which alerts a grant covers, within the user's own organisation (another
 * organisation's alerts are never covered):
 * - `all`: every alert;
 * - `dispatched`: alerts dispatched to the user, to the user's team (their
 *   neighbourhood's urgent response team) or assigned to the user;
 * - `own-residents`: alerts about residents the user coordinates;
 * - `technical`: technical alerts (hubs and sensors).
 */
export const ALERT_SCOPES = ['all', 'dispatched', 'own-residents', 'technical'] as const;
/** A grant's scope. */
export type AlertScope = (typeof ALERT_SCOPES)[number];

/**
 * Who may do what to an alert, as data (docs/alerts.md, "Who may do what").
 * A role with no entry for an action may not do it at all. Operators run the
 * alert; admins are the supervisors who can step in; responders see and act on
 * the jobs sent to them or their team and nothing else; coordinators read and
 * add notes for their own residents; installers work technical alerts.
 * Acknowledging stops the escalation, so only those who answer alerts have it.
 */
export const ALERT_PERMISSIONS: Record<Role, Partial<Record<AlertAction, AlertScope>>> = {
  operator: {
    see: 'all',
    note: 'all',
    acknowledge: 'all',
    dispatch: 'all',
    assign: 'all',
    'on-site-for-responder': 'all',
    'stand-down': 'all',
    resolve: 'all',
  },
  admin: {
    see: 'all',
    note: 'all',
    acknowledge: 'all',
    dispatch: 'all',
    assign: 'all',
    'on-site-for-responder': 'all',
    'stand-down': 'all',
    resolve: 'all',
  },
  responder: {
    see: 'dispatched',
    note: 'dispatched',
    'en-route': 'dispatched',
    'on-site': 'dispatched',
    resolve: 'dispatched',
  },
  coordinator: {
    see: 'own-residents',
    note: 'own-residents',
  },
  installer: {
    see: 'technical',
    note: 'technical',
    acknowledge: 'technical',
    resolve: 'technical',
  },
};

/** The facts about an alert that the scopes look at. */
export interface AlertFacts {
  orgId: string;
  severity: string;
  coordinatorId: string | null;
  dispatchTarget?: { kind: string; neighbourhoodId?: string; userId?: string } | null | undefined;
  assignedTo?: string | null | undefined;
}

/** The facts about a user that the scopes look at. */
export interface UserFacts {
  id: string;
  orgId: string;
  role: Role;
  neighbourhoodId: string | null;
}

/** Whether an alert was sent to this user: to them, to their team, or assigned to them. */
export function dispatchedTo(user: UserFacts, alert: AlertFacts): boolean {
  if (alert.assignedTo && alert.assignedTo === user.id) return true;
  const t = alert.dispatchTarget;
  if (!t) return false;
  if (t.kind === 'responder') return t.userId === user.id;
  if (t.kind === 'team') return user.neighbourhoodId !== null && t.neighbourhoodId === user.neighbourhoodId;
  return false;
}

const SCOPE_TEST: Record<AlertScope, (user: UserFacts, alert: AlertFacts) => boolean> = {
  all: () => true,
  dispatched: dispatchedTo,
  'own-residents': (user, alert) => alert.coordinatorId === user.id,
  technical: (_user, alert) => alert.severity === 'technical',
};

/** Whether `user` may do `action` to `alert` (the organisation first, then the role's grant and its scope). */
export function mayDo(user: UserFacts, action: AlertAction, alert: AlertFacts): boolean {
  if (alert.orgId !== user.orgId) return false;
  const scope = ALERT_PERMISSIONS[user.role]?.[action];
  return scope !== undefined && SCOPE_TEST[scope](user, alert);
}

/** The roles that have an action at all (for a route's `config.roles`). */
export function rolesFor(action: AlertAction): Role[] {
  return (Object.keys(ALERT_PERMISSIONS) as Role[]).filter((r) => ALERT_PERMISSIONS[r][action] !== undefined);
}

/** Every action the user may take on the alert (the console offers only these). */
export function allowedActions(user: UserFacts, alert: AlertFacts): AlertAction[] {
  return ALERT_ACTIONS.filter((a) => mayDo(user, a, alert));
}
