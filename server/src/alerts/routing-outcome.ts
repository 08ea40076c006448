import { z } from 'zod';
import type { Db } from '../db/database.ts';

/** One routing decision of an alert and what came of it: who was meant to be told, and who actually was. */
export const RoutingOutcomeSchema = z.object({
  at: z.string(),
  /** The change that was routed: raised, repeated, escalated, dispatched, response-warning... */
  change: z.string(),
  targets: z.array(z.string()),
  /** One line for the console: "2 told: 1 delivered, 1 failed", or "nobody told: no channel configured". */
  summary: z.string(),
  notifications: z.array(
    z.object({
      channel: z.string(),
      target: z.string(),
      owner: z.string().nullable(),
      state: z.string(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
    }),
  ),
});
/** A routing outcome. */
export type RoutingOutcome = z.infer<typeof RoutingOutcomeSchema>;

/**
 * What routing did for an alert, truthfully: for each routed change, every
 * notification with its channel, its target and whether it was delivered.
 * A routing that queued nothing says "no channel configured", never "sent".
 */
export async function routingOutcomes(db: Db, alertId: string): Promise<RoutingOutcome[]> {
  const routed = await db.selectFrom('alert_log').select(['at', 'detail']).where('alert_id', '=', alertId).where('action', '=', 'routed').orderBy('id').execute();
  const rows = await db
    .selectFrom('notifications')
    .leftJoin('channels', 'channels.id', 'notifications.channel_id')
    .select(['notifications.id as id', 'notifications.kind as kind', 'notifications.target as target', 'notifications.state as state', 'notifications.attempts as attempts', 'channels.owner_type as ownerType', 'channels.owner_id as ownerId', 'channels.name as name'])
    .where('notifications.alert_id', '=', alertId)
    .execute();
  const errors = await db
    .selectFrom('notification_attempts')
    .select(['notification_id', 'error'])
    .where('alert_id', '=', alertId)
    .orderBy('id')
    .execute();
  const lastError = new Map<string, string | null>();
  for (const e of errors) lastError.set(e.notification_id, e.error);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return routed.map((r) => {
    const d = JSON.parse(r.detail) as { change?: string; targets?: string[]; notificationIds?: string[]; notifications?: number };
    const ids = d.notificationIds ?? [];
    const notifications = ids
      .map((id) => byId.get(id))
      .filter((n): n is NonNullable<typeof n> => n !== undefined)
      .map((n) => ({
        channel: n.kind,
        target: n.target,
        owner: n.ownerType ? `${n.ownerType} ${n.name ?? n.ownerId}` : null,
        state: n.state,
        attempts: n.attempts,
        lastError: lastError.get(n.id) ?? null,
      }));
    return { at: new Date(r.at).toISOString(), change: d.change ?? 'unknown', targets: d.targets ?? [], summary: summarise(notifications, d.notifications ?? ids.length), notifications };
  });
}

function summarise(ns: { state: string; attempts: number }[], queued: number): string {
  if (queued === 0) return 'nobody told: no channel configured';
  const count = (s: string, tried?: boolean) => ns.filter((n) => n.state === s && (tried === undefined || n.attempts > 0 === tried)).length;
  const parts = [
    count('delivered') && `${count('delivered')} delivered`,
    count('failed') && `${count('failed')} failed`,
    count('pending', true) && `${count('pending', true)} not delivered yet, retrying`,
    count('pending', false) && `${count('pending', false)} sending`,
  ].filter(Boolean);
  return `${queued} told: ${parts.join(', ') || 'sending'}`;
}
