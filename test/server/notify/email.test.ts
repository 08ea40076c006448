import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { advanceTo, apiAs, hubOf, openAlert, type Api } from '../routing/fixture.ts';

const T0 = Date.parse('2026-11-04T14:00:00Z');

interface Mail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free port; answers the first `tempFailures` messages with 451, then accepts. */
async function smtp(tempFailures: number): Promise<{ port: number; mails: Mail[]; refused: number; close: () => Promise<void> }> {
  const state = { mails: [] as Mail[], refused: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.refused < tempFailures) {
          state.refused++;
          const err = Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 });
          return callback(err);
        }
        state.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    get mails() {
      return state.mails;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('e-mail delivery against a real SMTP server', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let admin: Api;
  let operator: Api;
  let mail: Awaited<ReturnType<typeof smtp>>;
  let hub: Awaited<ReturnType<typeof hubOf>>;

  beforeAll(async () => {
    mail = await smtp(1);
    // The local SMTP server is not a public address: allowed by host:port (HEARTH_OUTBOUND_ALLOW).
    h = await startHearth({ clock, config: { outboundAllow: [`127.0.0.1:${mail.port}`] } });
    fx = await seedOrg(h.hearth, 'Mail Alliance', 'hub-mail-1');
    admin = await apiAs(h.hearth, fx.users.admin);
    operator = await apiAs(h.hearth, fx.users.operator);
    const res = await admin.call('POST', '/api/channels', {
      ownerType: 'user',
      ownerId: fx.users.coordinator.id,
      kind: 'email',
      config: { host: '127.0.0.1', port: mail.port, from: 'alerts@hearth.example', to: ['coordinator@care.example'] },
    });
    expect(res.status, res.body).toBe(201);
    hub = await hubOf(h.hearth, fx.hub, clock);
  });
  afterAll(async () => {
    hub.client.end(true);
    await h.close();
    await mail.close();
  });

  it('tells the coordinator of an urgent alert by e-mail, retrying after a temporary SMTP refusal', async () => {
    await hub.fall('mail-fall-1');
    const alert = await openAlert(operator, fx.residentId);
    expect(mail.refused).toBe(1);
    expect(mail.mails).toHaveLength(0);
    let notes = (await operator.call('GET', `/api/alerts/${alert.id}/notifications`)).json;
    expect(notes.attempts).toEqual([expect.objectContaining({ channel: 'email', target: 'coordinator@care.example', attempt: 1, status: 'retrying', response: expect.stringContaining('451') })]);

    await advanceTo(h.hearth, clock, T0 + 10_000);
    expect(mail.mails).toHaveLength(1);
    const m = mail.mails[0]!;
    expect(m.from).toBe('alerts@hearth.example');
    expect(m.to).toEqual(['coordinator@care.example']);
    expect(m.raw).toMatch(/^Subject: Hearth URGENT: fall - Resident of hub-mail-1/m);
    const key = notes.notifications[0].id;
    expect(m.raw).toContain(`X-Hearth-Idempotency-Key: ${key}`);
    expect(m.raw).toContain(`Message-ID: <${key}@hearth.invalid>`);
    expect(m.raw).toContain(`Alert ${alert.id}`);
    notes = (await operator.call('GET', `/api/alerts/${alert.id}/notifications`)).json;
    expect(notes.attempts.map((a: any) => [a.attempt, a.status])).toEqual([
      [1, 'retrying'],
      [2, 'delivered'],
    ]);
    expect(notes.attempts[1].response).toMatch(/^250/);
    expect(notes.notifications[0]).toMatchObject({ state: 'delivered', attempts: 2 });
  });
});
