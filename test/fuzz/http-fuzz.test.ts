import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { mixSeed, mulberry32, type Rng } from '../../simulators/src/prng.ts';
import { connectHub, ev, seedOrg, signIn, startHearth, type Fixture } from '../helpers/hearth.ts';
import { badUtf8, deepNest, DEPTHS, fuzzRng, memoryInUse, PROTOTYPE_KEYS, randomBytes } from './generators.ts';

/** How many hostile HTTP requests a run sends. */
const REQUESTS = Number(process.env.HEARTH_FUZZ_HTTP ?? 4000);
/** The stated bound on the server's heap and buffers after the run, over where it started. */
const MEMORY_BOUND = 64 * 1024 * 1024;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A value for a path parameter: real ids of this and another organisation, guesses, and hostile strings. */
function paramValue(rng: Rng, own: string[], other: string[]): string {
  return rng.weighted({
    own: 3,
    other: 3,
    guess: 2,
    proto: 1,
    hostile: 2,
  }) === 'own'
    ? rng.pick(own)
    : rng.chance(0.4)
      ? rng.pick(other)
      : rng.pick([
          '00000000-0000-4000-8000-000000000000',
          rng.pick(PROTOTYPE_KEYS),
          '..%2F..%2Fetc%2Fpasswd',
          '%00',
          '%ff%fe',
          'x'.repeat(rng.int(100, 5000)),
          '9999-12',
          '-1',
          '1e309',
          '%F0%9F%92%A9',
          '%E2%80%AE',
        ]);
}

/** A hostile body and its content type. */
function body(rng: Rng): { payload?: string | Buffer; type?: string } {
  const kind = rng.weighted({ none: 2, randomJson: 4, deep: 3, huge: 0.3, badUtf8: 1, truncated: 1, wrongType: 1, proto: 2, randomBytes: 1 });
  const j = 'application/json';
  switch (kind) {
    case 'none':
      return {};
    case 'randomJson': {
      const v = rng.pick([null, 0, -1, 1e308, '', 'x'.repeat(rng.int(0, 3000)), [], {}, true]);
      const keys = ['name', 'note', 'outcome', 'password', 'username', 'role', 'state', 'month', 'from', 'to', 'plan', 'contacts', 'hubId', 'url', 'events'];
      const o: Record<string, unknown> = {};
      for (let i = 0; i < rng.int(0, 6); i++) o[rng.pick(keys)] = rng.chance(0.5) ? v : rng.pick([[v, v], { [rng.pick(keys)]: v }]);
      return { payload: JSON.stringify(o), type: j };
    }
    case 'deep':
      return { payload: deepNest(rng, rng.pick(DEPTHS)), type: j };
    case 'huge':
      return { payload: Buffer.alloc(rng.int(1_100_000, 3_000_000), 0x20), type: j };
    case 'badUtf8':
      return { payload: badUtf8(rng), type: j };
    case 'truncated':
      return { payload: '{"name": "abc', type: j };
    case 'wrongType':
      return { payload: '{"note":"x"}', type: rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-7', '*/*']) };
    case 'proto':
      return { payload: `{"${rng.pick(PROTOTYPE_KEYS)}":{"admin":true,"role":"admin"},"constructor":{"prototype":{"x":1}}}`, type: j };
    case 'randomBytes':
      return { payload: randomBytes(rng, rng.int(1, 2000)), type: rng.pick([j, 'application/octet-stream']) };
  }
}

describe('HTTP fuzz: hostile requests on every route beside a hub at work', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  const tokens: (string | undefined)[] = [undefined];
  beforeAll(async () => {
    h = await startHearth();
    a = await seedOrg(h.hearth, 'Fuzz org A', 'hub-http-a');
    b = await seedOrg(h.hearth, 'Fuzz org B', 'hub-http-b');
    for (const role of ['operator', 'responder', 'coordinator', 'installer', 'admin'] as const) tokens.push(await signIn(h.hearth, a.users[role].username, a.users[role].password));
    tokens.push('not-a-token', 'x'.repeat(5000));
  });
  afterAll(async () => h.close());

  it('answers every hostile request below 500, changes nothing of another organisation, and keeps the hub going', { timeout: 120_000 }, async () => {
    const { seed, rng } = fuzzRng('http');
    const started = Date.now();
    const mem0 = memoryInUse();
    const spec = (await h.hearth.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes: { method: Method; path: string }[] = [];
    for (const [path, methods] of Object.entries(spec.paths)) for (const m of Object.keys(methods)) routes.push({ method: m.toUpperCase() as Method, path });
    expect(routes.length).toBeGreaterThan(20);

    // organisation B's state, which nothing from A may change
    const db = h.hearth.services.db;
    const snapshotB = async () =>
      JSON.stringify({
        residents: await db.selectFrom('residents').selectAll().where('org_id', '=', b.orgId).execute(),
        users: await db.selectFrom('users').select(['id', 'username', 'role', 'disabled', 'password_hash']).where('org_id', '=', b.orgId).execute(),
        hubs: await db.selectFrom('hubs').select(['id', 'secret_hash', 'name']).where('org_id', '=', b.orgId).execute(),
      });
    const before = await snapshotB();

    // the valid hub (organisation B) works throughout: events and one fall, sent twice
    const vrng = mulberry32(mixSeed(seed, 'valid'));
    const hub = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret);
    const sentIds: string[] = [];
    const fall = ev({ id: 'http-fuzz-fall', sensor: 'hall-fall', type: 'fall', value: true });
    const hubRun = (async () => {
      for (let i = 0; i < 200; i++) {
        const e = i === 50 || i === 120 ? fall : ev({ id: `hf-${i}`, value: vrng.chance(0.5) });
        await hub.publishAsync(topics.events(b.hub.hubId), JSON.stringify(e), { qos: 1 });
        sentIds.push(e.id as string);
        await new Promise((r) => setTimeout(r, vrng.int(1, 20)));
      }
    })();

    const ownIds = [a.residentId, a.hub.hubId, a.orgId, a.neighbourhoodId, a.users.operator.id, 'hall-fall'];
    const otherIds = [b.residentId, b.hub.hubId, b.orgId, b.neighbourhoodId, b.users.admin.id, 'pendant'];
    const statuses: Record<number, number> = {};
    const fives: string[] = [];
    const roles = ['operator', 'responder', 'coordinator', 'installer', 'admin'] as const;
    let renewed = 0;
    for (let n = 0; n < REQUESTS; n++) {
      if (n % 100 === 99) {
        // a fuzzed sign-out (or a disabled user) ends a session; sign in again so the routes behind the wall keep being reached
        for (const [i, role] of roles.entries()) {
          const live = await h.hearth.app.inject({ method: 'GET', url: '/api/alerts', headers: { authorization: `Bearer ${tokens[i + 1]}` } });
          if (live.statusCode !== 401) continue;
          renewed++;
          tokens[i + 1] = await signIn(h.hearth, a.users[role].username, a.users[role].password).catch(() => tokens[i + 1]);
        }
      }
      const r = rng.chance(0.9) ? rng.pick(routes) : { method: rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const), path: rng.pick(['/api/x', '/api/__proto__', '/api/alerts/%ff', '/%2e%2e/etc/passwd', '/mqtt', '/metrics', '/api/openapi.json/../session']) };
      let url = r.path.replace(/\{[^}]+\}/g, () => paramValue(rng, ownIds, otherIds));
      if (rng.chance(0.3)) url += `?${rng.pick(['from', 'to', 'month', 'year', 'limit', 'subject', '__proto__', 'constructor'])}=${paramValue(rng, ownIds, otherIds)}`;
      const token = rng.pick(tokens);
      const bd = r.method === 'GET' || r.method === 'DELETE' ? (rng.chance(0.1) ? body(rng) : {}) : body(rng);
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (bd.type) headers['content-type'] = bd.type;
      if (rng.chance(0.2)) headers.origin = rng.pick(['http://evil.example', 'null', 'http://127.0.0.1']);
      if (rng.chance(0.05)) headers.cookie = `hearth_session=${rng.pick(PROTOTYPE_KEYS)}`;
      let status: number;
      try {
        const res = await h.hearth.app.inject({ method: r.method, url, headers, ...(bd.payload !== undefined ? { payload: bd.payload } : {}) });
        status = res.statusCode;
        if (status >= 500) fives.push(`${r.method} ${url.slice(0, 120)} -> ${status} ${res.body.slice(0, 200)}`);
      } catch (err) {
        status = -1;
        fives.push(`${r.method} ${url.slice(0, 120)} -> threw ${(err as Error).message}`);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    await hubRun;
    hub.end(true);
    await h.hearth.settle();

    const stored = new Set((await db.selectFrom('events').select('event_id').where('hub_id', '=', b.hub.hubId).execute()).map((x) => x.event_id));
    const missing = [...new Set(sentIds)].filter((id) => !stored.has(id));
    const falls = await db.selectFrom('alerts').select('id').where('hub_id', '=', b.hub.hubId).where('type', '=', 'fall').execute();
    const after = await snapshotB();
    const mem1 = memoryInUse();
    const mb = (x: number) => (x / 1024 / 1024).toFixed(1);
    console.log(
      `[fuzz http] seed ${seed}: ${REQUESTS} hostile requests over ${routes.length} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(statuses)}; ` +
        `5xx ${fives.length}; sessions renewed ${renewed}; valid hub: ${new Set(sentIds).size} events sent, ${stored.size} stored, ${falls.length} fall alert; ` +
        `memory (heap + buffers after GC) before ${mb(mem0)} MB, after ${mb(mem1)} MB, bound +${mb(MEMORY_BOUND)} MB`,
    );
    for (const line of fives.slice(0, 20)) console.log(`[fuzz http] ${line}`);
    expect(fives).toEqual([]);
    expect(missing).toEqual([]);
    expect(falls).toHaveLength(1);
    expect(after).toBe(before);
    expect(mem1 - mem0).toBeLessThan(MEMORY_BOUND);
  });
});
