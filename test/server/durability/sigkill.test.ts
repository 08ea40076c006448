import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { Directory } from '../../../server/src/care/directory.ts';
import { openDatabase } from '../../../server/src/db/database.ts';
import { connectHub, ev, tempDir } from '../../helpers/hearth.ts';
import { exited, freePort, spawnTs, waitFor } from '../../helpers/process.ts';

describe('an event acknowledged to a hub survives SIGKILL of the server', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('finds the event stored, and its alert raised, after a kill -9 right after the PUBACK', async () => {
    const dbFile = path.join(tmp.dir, 'hearth.sqlite');
    // Commission a hub the way the CLI does, before the server starts.
    const seeded = await openDatabase(dbFile);
    const d = new Directory(seeded.db, () => Date.now());
    const org = await d.addOrganisation('Kill Org');
    const nb = await d.addNeighbourhood({ orgId: org.id, name: 'N' });
    await d.addUser({ orgId: org.id, username: 'op', password: 'operator-pass', role: 'operator' });
    const { hubId, secret } = await d.addHub({ orgId: org.id, hubId: 'hub-kill' });
    await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: 'Vera', hubId });
    await seeded.db.destroy();

    const env = async () => ({
      HEARTH_DATA_DIR: tmp.dir,
      HEARTH_HTTP_PORT: String(await freePort()),
      HEARTH_MQTT_PORT: String(await freePort()),
      HEARTH_DEMO: 'off',
      HEARTH_LOG_LEVEL: 'warn',
    });
    const healthy = (port: string) => async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok;

    const env1 = await env();
    const first = spawnTs('server/src/main.ts', [], env1);
    await waitFor(healthy(env1.HEARTH_HTTP_PORT), 30_000, 'first server').catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output()}`);
    });
    const hub = await connectHub(Number(env1.HEARTH_MQTT_PORT), hubId, secret, { reconnectPeriod: 0 });
    hub.on('error', () => {});
    await hub.publishAsync(topics.events(hubId), JSON.stringify(ev({ id: 'the-fall', sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
    first.kill('SIGKILL'); // at once, on the PUBACK
    expect(await exited(first)).toBe('SIGKILL');
    hub.end(true);

    const env2 = await env();
    const second = spawnTs('server/src/main.ts', [], env2);
    try {
      await waitFor(healthy(env2.HEARTH_HTTP_PORT), 30_000, 'second server');
      const session = await (
        await fetch(`http://127.0.0.1:${env2.HEARTH_HTTP_PORT}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'op', password: 'operator-pass' }),
        })
      ).json();
      const alerts = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${env2.HEARTH_HTTP_PORT}/api/alerts?state=open`, { headers: { authorization: `Bearer ${session.token}` } });
        const body = (await res.json()) as { alerts: { type: string; cause: { events: { id: string }[] } }[] };
        return body.alerts.length ? body.alerts : undefined;
      }, 10_000, 'the fall alert');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.type).toBe('fall');
      expect(alerts[0]!.cause.events[0]!.id).toBe('the-fall');
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
    const check = await openDatabase(dbFile);
    const rows = await check.db.selectFrom('events').select(['event_id', 'type']).where('hub_id', '=', hubId).execute();
    await check.db.destroy();
    expect(rows).toEqual([{ event_id: 'the-fall', type: 'fall' }]);
  }, 90_000);
});
