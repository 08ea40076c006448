import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { nonPublicRange, resolveChecked } from '../../../server/src/notify/outbound.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { addHome, allowOutbound, apiAs, hubOf, openAlert, type Api } from '../routing/fixture.ts';

const T0 = Date.parse('2026-11-03T11:00:00Z');

/** A local HTTP server standing in for an internal service (InfluxDB): answers with data, or a redirect. */
async function internal(answer: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body: string }) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const a = answer(req);
      res.writeHead(a.status, a.headers ?? {}).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('defect 6: SSRF through outbound channels', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let admin: Api;
  let operator: Api;
  let influx: Awaited<ReturnType<typeof internal>>;
  let leaky: Awaited<ReturnType<typeof internal>>;
  let redirector: Awaited<ReturnType<typeof internal>>;
  let smtpHits = 0;
  let smtp: SMTPServer;
  let smtpPort = 0;

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Ssrf Org', 'hub-ssrf-1');
    admin = await apiAs(h.hearth, fx.users.admin);
    operator = await apiAs(h.hearth, fx.users.operator);
    influx = await internal(() => ({ status: 200, body: '{"results":[{"series":[{"name":"events","values":[["SECRET-OTHER-ORG-EVENT"]]}]}]}' }));
    leaky = await internal(() => ({ status: 200, body: 'SECRET-BODY-FROM-ALLOWED-HOST' }));
    redirector = await internal(() => ({ status: 302, headers: { location: `${influx.url}/query?db=hearth&q=DELETE+FROM+events` }, body: '' }));
    smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, onConnect: (_s, cb) => { smtpHits++; cb(); } });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    // Only these two are allowed by the deployment; the "InfluxDB" and the SMTP server are not.
    allowOutbound(h.hearth, leaky.url);
    allowOutbound(h.hearth, redirector.url);
  });
  afterAll(async () => {
    await h.close();
    await influx.close();
    await leaky.close();
    await redirector.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  const raiseWith = async (hubId: string, config: { kind: 'webhook' | 'email'; config: unknown }) => {
    const home = await addHome(h.hearth, fx, hubId);
    // The team's channel (a fall in the team's hours goes to it); each case's channel is switched off after it.
    const res = await admin.call('POST', '/api/channels', { ownerType: 'team', ownerId: fx.neighbourhoodId, kind: config.kind, config: config.config });
    expect(res.status, res.body).toBe(201);
    const hub = await hubOf(h.hearth, home.hub, clock);
    await hub.fall(`fall-${hubId}`);
    hub.client.end(true);
    await h.hearth.settle();
    const alert = await openAlert(operator, home.residentId);
    const notes = (await operator.call('GET', `/api/alerts/${alert.id}/notifications`)).json;
    await h.hearth.services.db.updateTable('channels').set({ enabled: 0 }).execute();
    return { notes, channelId: res.json.channel?.id ?? res.json.id };
  };

  it('a webhook to a loopback InfluxDB is refused before any connection, not retried, and shows nothing of it', async () => {
    const { notes } = await raiseWith('hub-ssrf-a', { kind: 'webhook', config: { url: `${influx.url}/query?db=hearth&q=DELETE+FROM+events`, secret: 'ssrf-secret-0123456789' } });
    const mine = notes.attempts.filter((a: any) => a.channel === 'webhook');
    expect(mine.length, JSON.stringify(notes)).toBeGreaterThan(0);
    for (const a of mine) {
      expect(a.status).toBe('failed');
      expect(a.error).toMatch(/blocked: 127\.0\.0\.1 is 127\.0\.0\.1 \(loopback\)/);
      expect(a.response).toBeNull();
    }
    expect(influx.hits).toEqual([]);
    expect(JSON.stringify(notes)).not.toContain('SECRET');
  });

  it('a hostname that resolves to loopback is refused too', async () => {
    const port = new URL(influx.url).port;
    const { notes } = await raiseWith('hub-ssrf-b', { kind: 'webhook', config: { url: `http://localhost:${port}/query`, secret: 'ssrf-secret-0123456789' } });
    const a = notes.attempts.find((x: any) => x.channel === 'webhook');
    expect(a.error).toMatch(/blocked: localhost is .* \(loopback\)/);
    expect(influx.hits).toEqual([]);
  });

  it('an allowed host delivers, but only its status code is kept and shown, never its body', async () => {
    const { notes } = await raiseWith('hub-ssrf-c', { kind: 'webhook', config: { url: `${leaky.url}/hook`, secret: 'ssrf-secret-0123456789' } });
    const a = notes.attempts.find((x: any) => x.channel === 'webhook');
    expect(a).toMatchObject({ status: 'delivered', response: 'HTTP 200' });
    expect(leaky.hits.length).toBeGreaterThan(0);
    const stored = await h.hearth.services.db.selectFrom('notification_attempts').select('response').execute();
    expect(JSON.stringify(stored)).not.toContain('SECRET');
  });

  it('redirects are not followed, even from an allowed host', async () => {
    const { notes } = await raiseWith('hub-ssrf-d', { kind: 'webhook', config: { url: `${redirector.url}/hook`, secret: 'ssrf-secret-0123456789' } });
    const a = notes.attempts.find((x: any) => x.channel === 'webhook');
    expect(a).toMatchObject({ status: 'failed', response: 'HTTP 302', error: 'HTTP 302: redirects are not followed' });
    expect(influx.hits).toEqual([]);
  });

  it('an SMTP server on a private address is refused unless allowed', async () => {
    const { notes } = await raiseWith('hub-ssrf-e', { kind: 'email', config: { host: '127.0.0.1', port: smtpPort, from: 'alerts@hearth.example', to: ['family@care.example'] } });
    const a = notes.attempts.find((x: any) => x.channel === 'email');
    expect(a).toMatchObject({ status: 'failed' });
    expect(a.error).toMatch(/blocked/);
    expect(smtpHits).toBe(0);
  });

  it('every non-public range is refused, and the address checked is the one connected to', async () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1', '255.255.255.255', '64:ff9b::7f00:1']) {
      expect(nonPublicRange(ip), ip).not.toBeNull();
      await expect(resolveChecked(ip, 80, { allow: [] }), ip).rejects.toThrow(/blocked/);
    }
    for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) expect(nonPublicRange(ip), ip).toBeNull();
    expect(await resolveChecked('127.0.0.1', 8086, { allow: ['127.0.0.1:8086'] })).toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(resolveChecked('127.0.0.1', 8087, { allow: ['127.0.0.1:8086'] })).rejects.toThrow(/blocked/);
  });
});
