// "Send a test" for an outbound channel (issue 13): one message shaped like an alert's notification,
// sent now through the notifier (and so under its outbound policy), the attempt kept in channel_tests.
import { newId } from '../auth/crypto.ts';
import type { Db } from '../db/database.ts';
import type { ChannelTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { NotificationMessage } from '../notify/senders.ts';

/** A test send's result, as the delivery history shows it. */
export interface TestDelivery {
  at: string;
  kind: 'test';
  alertId: null;
  change: 'test';
  attempt: 1;
  status: 'delivered' | 'failed';
  response: string | null;
  error: string | null;
  requestedBy: string;
}

/** The test message: shaped like an alert's notification, so the far end parses it as it would a real one. */
export function testMessage(channelId: string, at: string, orgName: string): NotificationMessage {
  return {
    id: newId(),
    change: 'test',
    at,
    targets: [],
    alert: {
      id: `test-${channelId}`,
      type: 'test',
      severity: 'routine',
      state: 'test',
      residentId: null,
      residentName: null,
      hubId: '-',
      neighbourhoodId: null,
      occurredAt: at,
      raisedAt: at,
      summary: `Test notification from Hearth (${orgName}): this channel works. No action is needed.`,
      repeatCount: 0,
      dispatchedAt: null,
      onSiteAt: null,
    },
  };
}

/** Send a test through an organisation's channel and record it; a disabled channel is refused. */
export async function sendChannelTest(db: Db, notifier: Notifier, now: () => number, orgId: string, channelId: string, requestedBy: string): Promise<TestDelivery> {
  const channel: ChannelTable | undefined = await db.selectFrom('channels').selectAll().where('id', '=', channelId).where('org_id', '=', orgId).executeTakeFirst();
  if (!channel) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such channel');
  if (channel.enabled !== 1) throw new HearthError('HEARTH_ERR_CONFLICT', 'the channel is disabled; enable it to test it');
  const org = await db.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirstOrThrow();
  const result = await notifier.sendNow(channel, testMessage(channel.id, new Date(now()).toISOString(), org.name));
  const at = now();
  const status = result.ok ? 'delivered' : 'failed';
  await db.insertInto('channel_tests').values({ org_id: orgId, channel_id: channel.id, at, requested_by: requestedBy, status, response: result.response, error: result.error }).execute();
  return { at: new Date(at).toISOString(), kind: 'test', alertId: null, change: 'test', attempt: 1, status, response: result.response, error: result.error, requestedBy };
}
