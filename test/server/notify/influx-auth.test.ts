import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxStore } from '../../../server/src/store/influx-store.ts';
import { influxAvailable, startInflux, type InfluxServer } from '../../helpers/influx.ts';

const run = influxAvailable() ? describe : describe.skip;

run('defect 6: InfluxDB with authentication, as docker-compose.yml runs it', () => {
  let influx: InfluxServer;
  const q = (query: string, auth?: string) =>
    fetch(`${influx.url}/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) }, body: new URLSearchParams({ q: query }).toString() });
  // One statement as the admin: HTTP 200 is not enough (InfluxDB reports a statement's error inside a 200), so its result is checked too.
  const admin = async (query: string, auth: string | undefined = 'admin:admin-pass-0123') => {
    const res = await q(query, auth);
    const text = await res.text();
    expect(res.status, `${query}: ${text}`).toBe(200);
    expect(text, query).not.toMatch(/"error"/);
    return text;
  };
  beforeAll(async () => {
    influx = await startInflux({ auth: true });
    // What the image does with INFLUXDB_ADMIN_USER, INFLUXDB_DB, INFLUXDB_USER: an admin, the database, Hearth's user with rights on it only.
    await admin("CREATE USER admin WITH PASSWORD 'admin-pass-0123' WITH ALL PRIVILEGES", undefined);
    await admin('CREATE DATABASE hearth');
    await admin("CREATE USER hearth WITH PASSWORD 'hearth-pass-0123'");
    await admin('GRANT ALL ON hearth TO hearth');
    expect(await admin('SHOW GRANTS FOR hearth')).toMatch(/"hearth","ALL PRIVILEGES"/);
  }, 30_000);
  afterAll(async () => influx?.close());

  it('refuses a query without credentials (what the SSRF read and deleted), and the server works with its own', async () => {
    const anonymous = await q('SELECT * FROM events', undefined);
    expect(anonymous.status).toBe(401);
    const store = new InfluxStore({ url: influx.url, database: 'hearth', user: 'hearth', password: 'hearth-pass-0123' });
    const e = { hubId: 'hub-ix', id: 'e1', ts: Date.parse('2026-11-01T10:00:00Z'), receivedAt: Date.parse('2026-11-01T10:00:01Z'), sensor: 'hall', type: 'motion' as const, value: true, battery: null, late: false };
    await store.append([e]);
    expect(await store.count({ hubId: 'hub-ix', from: e.ts - 1, to: e.ts + 1 })).toBe(1);
    await store.close();
    const wrong = new InfluxStore({ url: influx.url, database: 'hearth', user: 'hearth', password: 'not-it' });
    await expect(wrong.append([{ ...e, id: 'e2' }])).rejects.toThrow(/401|auth/i);
    await wrong.close();
  });
});
