import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { openStream, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { advanceTo, allowOutbound, apiAs, deadPort, hubOf, openAlert, receiver, type Api, type Received } from '../routing/fixture.ts';

const T0 = Date.parse('2026-11-03T11:00:00Z'); // within the urgent team's hours in London
const SECRET = 'team-webhook-secret-0123456789';

/** Check a webhook request the way a receiver would: HMAC-SHA256 over "timestamp.body" with the shared secret. */
function signatureValid(r: Received, secret: string): boolean {
  const ts = String(r.headers['x-hearth-timestamp']);
  const expected = `sha256=${crypto.createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  const got = String(r.headers['x-hearth-signature']);
  return got.length === expected.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}

describe('webhook and SMS delivery against real local HTTP servers', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let admin: Api;
  let operator: Api;
  let team: Awaited<ReturnType<typeof receiver>>;
  let sms: Awaited<ReturnType<typeof receiver>>;
  let hub: Awaited<ReturnType<typeof hubOf>>;

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Webhook Alliance', 'hub-hook-1');
    admin = await apiAs(h.hearth, fx.users.admin);
    operator = await apiAs(h.hearth, fx.users.operator);
    team = await receiver([500, 200]);
    sms = await receiver([200]);
    const dead = await deadPort();
    // Local receivers are not public addresses: the deployment allows them by host:port (HEARTH_OUTBOUND_ALLOW).
    for (const url of [team.url, sms.url, `http://127.0.0.1:${dead}`]) allowOutbound(h.hearth, url);
    const add = async (body: unknown) => {
      const res = await admin.call('POST', '/api/channels', body);
      expect(res.status, res.body).toBe(201);
    };
    await add({ ownerType: 'team', ownerId: fx.neighbourhoodId, kind: 'webhook', config: { url: `${team.url}/hearth`, secret: SECRET } });
    // A broken SMS provider for the same team: it must hold up neither the webhook nor anyone else.
    await add({ ownerType: 'team', ownerId: fx.neighbourhoodId, kind: 'sms', config: { providerUrl: `http://127.0.0.1:${dead}/send`, to: '+447700900001' } });
    await add({ ownerType: 'user', ownerId: fx.users.coordinator.id, kind: 'sms', config: { providerUrl: `${sms.url}/v1/messages`, token: 'provider-token-xyz', to: '+447700900002' } });
    hub = await hubOf(h.hearth, fx.hub, clock);
  });
  afterAll(async () => {
    hub.client.end(true);
    await h.close();
    await team.close();
    await sms.close();
  });

  it('signs the webhook, retries after a 500 with backoff on the clock, and keeps every attempt', async () => {
    const stream = await openStream(h.hearth.ports.http, operator.token);
    await hub.fall('hook-fall-1');
    const alert = await openAlert(operator, fx.residentId);
    // The console heard of it regardless of the failing channels.
    expect((await stream.next((m) => m.type === 'alert' && m.change === 'raised' && m.alert.id === alert.id)).alert.type).toBe('fall');
    stream.ws.close();

    expect(team.received).toHaveLength(1);
    const [first] = team.received;
    expect(first!.path).toBe('/hearth');
    expect(signatureValid(first!, SECRET)).toBe(true);
    expect(signatureValid({ ...first!, body: first!.body.replace('fall', 'fell') }, SECRET)).toBe(false);
    expect(first!.headers['x-hearth-timestamp']).toBe(String(Math.floor(T0 / 1000)));
    expect(first!.headers['x-hearth-attempt']).toBe('1');
    const body = JSON.parse(first!.body);
    expect(body).toMatchObject({ id: first!.headers['idempotency-key'], change: 'raised', alert: { id: alert.id, type: 'fall', severity: 'urgent', residentName: `Resident of ${fx.hub.hubId}` } });

    let notes = (await operator.call('GET', `/api/alerts/${alert.id}/notifications`)).json;
    const hook = notes.attempts.filter((a: any) => a.channel === 'webhook');
    expect(hook).toEqual([expect.objectContaining({ attempt: 1, status: 'retrying', error: 'HTTP 500', at: new Date(T0).toISOString() })]);
    const deadSms = notes.attempts.filter((a: any) => a.target === '+447700900001');
    expect(deadSms).toEqual([expect.objectContaining({ attempt: 1, status: 'retrying' })]);
    expect(deadSms[0].error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(notes.attempts.find((a: any) => a.target === '+447700900002')).toMatchObject({ status: 'delivered', response: expect.stringMatching(/^HTTP 200/) });

    // The SMS provider got a JSON POST with the provider token and the idempotency key.
    expect(sms.received).toHaveLength(1);
    expect(sms.received[0]!.headers.authorization).toBe('Bearer provider-token-xyz');
    expect(JSON.parse(sms.received[0]!.body)).toMatchObject({ to: '+447700900002', message: expect.stringContaining('URGENT: fall') });

    // First backoff is 10 s of (virtual) time: nothing before it, the retry at it.
    await advanceTo(h.hearth, clock, T0 + 9_999);
    expect(team.received).toHaveLength(1);
    await advanceTo(h.hearth, clock, T0 + 10_000);
    expect(team.received).toHaveLength(2);
    const second = team.received[1]!;
    expect(signatureValid(second, SECRET)).toBe(true);
    expect(second.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(second.headers['x-hearth-attempt']).toBe('2');
    expect(second.headers['x-hearth-timestamp']).toBe(String(Math.floor((T0 + 10_000) / 1000)));
    expect(second.body).toBe(first!.body);

    // The dead SMS keeps trying on its own schedule (10, 20, 40, 80, 160 s apart) and then gives up.
    await advanceTo(h.hearth, clock, T0 + 30_000);
    await advanceTo(h.hearth, clock, T0 + 70_000);
    await advanceTo(h.hearth, clock, T0 + 150_000);
    await advanceTo(h.hearth, clock, T0 + 310_000);
    await advanceTo(h.hearth, clock, T0 + 3_600_000);
    notes = (await operator.call('GET', `/api/alerts/${alert.id}/notifications`)).json;
    expect(notes.attempts.filter((a: any) => a.channel === 'webhook').map((a: any) => [a.attempt, a.status])).toEqual([
      [1, 'retrying'],
      [2, 'delivered'],
    ]);
    expect(notes.attempts.filter((a: any) => a.target === '+447700900001').map((a: any) => [a.attempt, a.status, (Date.parse(a.at) - T0) / 1000])).toEqual([
      [1, 'retrying', 0],
      [2, 'retrying', 10],
      [3, 'retrying', 30],
      [4, 'retrying', 70],
      [5, 'retrying', 150],
      [6, 'failed', 310],
    ]);
    expect(notes.notifications.find((n: any) => n.target === '+447700900001')).toMatchObject({ state: 'failed', attempts: 6, nextAt: null });
    expect(team.received.filter((r) => JSON.parse(r.body).alert.id === alert.id && JSON.parse(r.body).change === 'raised')).toHaveLength(2);

    // The attempts are a record: they cannot be edited.
    await expect(h.hearth.services.db.updateTable('notification_attempts').set({ status: 'delivered' }).execute()).rejects.toThrow(/append-only/);
  });

  it('validates channel settings and never shows a secret', async () => {
    const bad = await admin.call('POST', '/api/channels', { ownerType: 'team', ownerId: fx.neighbourhoodId, kind: 'webhook', config: { url: 'ftp://x', secret: 'short' } });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('HEARTH_ERR_VALIDATION');
    const foreign = await admin.call('POST', '/api/channels', { ownerType: 'team', ownerId: 'no-such-neighbourhood', kind: 'sms', config: { providerUrl: 'http://127.0.0.1:1/', to: '+447700900003' } });
    expect(foreign.status).toBe(404);
    const list = await admin.call('GET', '/api/channels');
    expect(list.json.channels).toHaveLength(3);
    expect(list.body).not.toContain(SECRET);
    expect(list.body).not.toContain('provider-token-xyz');
    expect((await operator.call('GET', '/api/channels')).status).toBe(403);
  });
});

describe('a retry pending at shutdown', () => {
  it('is sent after a restart, with the same idempotency key', async () => {
    const rx = await receiver([503, 200]);
    const first = await startHearth({ clock: new VirtualClock(T0) });
    const fx = await seedOrg(first.hearth, 'Restart Hooks', 'hub-hook-rs');
    const admin = await apiAs(first.hearth, fx.users.admin);
    await admin.call('POST', '/api/channels', { ownerType: 'team', ownerId: fx.neighbourhoodId, kind: 'webhook', config: { url: `${rx.url}/x`, secret: SECRET } });
    allowOutbound(first.hearth, rx.url);
    const hub = await hubOf(first.hearth, fx.hub, first.hearth.services.clock as VirtualClock);
    await hub.fall('rs-hook-fall');
    hub.client.end(true);
    expect(rx.received).toHaveLength(1);
    await first.hearth.stop();

    const second = await startHearth({ clock: new VirtualClock(T0 + 60 * 60_000), dataDir: first.dataDir, config: { outboundAllow: [new URL(rx.url).host] } });
    await second.hearth.settle();
    const raised = rx.received.filter((r) => JSON.parse(r.body).change === 'raised');
    expect(raised).toHaveLength(2);
    expect(raised[1]!.headers['idempotency-key']).toBe(raised[0]!.headers['idempotency-key']);
    expect(raised[1]!.headers['x-hearth-attempt']).toBe('2');
    expect(signatureValid(raised[1]!, SECRET)).toBe(true);
    await second.close();
    await rx.close();
  });
});
