// The standing "Routes" security suite's shared driver (docs/security.md): every API route, taken from the
// app's own route list (the auth plugin's onRoute registry), must have a case in its area's file, and each
// case is checked for: no session -> 401; each role the route does not allow -> 403 (or 404); a user of
// another organisation with this organisation's ids -> 404 (or 403); guessed ids -> 404; malformed input -> 400.
// Every refused request must change nothing (a snapshot of the database before and after).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredRoute } from '../../../../server/src/api/auth-plugin.ts';
import { VirtualClock } from '../../../../server/src/clock.ts';
import { ROLES, type Role } from '../../../../server/src/care/model.ts';
import { seedOrg, signIn, startHearth, type Fixture } from '../../../helpers/hearth.ts';
import { hubOf, openAlert, apiAs } from '../../routing/fixture.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Which area file holds a route's cases, by URL prefix (longest first). Add a prefix here for a new area. */
export const AREAS: [prefix: RegExp, area: string][] = [
  [/^\/api\/(alerts|stream|presence)(\/|$)/, 'alerts'],
  [/^\/api\/(hubs|hub-health)(\/|$)/, 'hubs'],
  [/^\/api\/(residents|caseload)(\/|$)/, 'residents'],
  [/^\/api\/(neighbourhoods|channels|organisation|reports)(\/|$)/, 'care'],
  [/^\/api\/(users|admin|session|audit)(\/|$)/, 'users'],
  [/^\/api\/(health|ready|openapi\.json)$/, 'ops'],
];

/** The area of an API route, or undefined when no area claims it. */
export function areaOf(url: string): string | undefined {
  return AREAS.find(([rx]) => rx.test(url))?.[1];
}

/** The file an area's cases live in. */
export function areaFile(area: string): string {
  return `test/server/api/security/${area}.security.test.ts`;
}

/** Whether an area's file exists. */
export function areaFileExists(area: string): boolean {
  return fs.existsSync(path.join(HERE, `${area}.security.test.ts`));
}

/** Two organisations, A (whose ids are used) and B (the outsider), with a live alert and a channel in A. */
export interface World {
  h: Awaited<ReturnType<typeof startHearth>>;
  a: Fixture;
  b: Fixture;
  alertA: string;
  channelA: string;
  tokens: { a: Record<Role, string>; b: Record<Role, string> };
}

/** One route's security case. */
export interface RouteCase {
  /** "METHOD /url/:param" exactly as registered. */
  route: string;
  /** Path parameters naming organisation A's objects. */
  params?: (w: World) => Record<string, string>;
  /** A valid query string, without "?". */
  query?: (w: World) => string;
  /** A valid JSON body. */
  body?: (w: World) => unknown;
  /** Input refused with 400 (sent by an allowed user of A); 'none' when the route takes no input to get wrong. */
  malformed: { params?: (w: World) => Record<string, string>; query?: string; body?: unknown } | 'none';
  /** The allowed role of A that sends the malformed and guessed requests (default: the first allowed role). */
  as?: Role;
  /** A route open to every role (no `config.roles`) must say why; object-level checks then decide (docs/security.md). */
  anyRole?: string;
  /** Why ids of another organisation do not apply (a route about the caller, or one creating from nothing). */
  noIds?: string;
  /** Accepted statuses for B's user with A's ids (default 403, 404). */
  crossStatus?: number[];
  /** Accepted statuses for guessed ids (default 404). */
  guessedStatus?: number[];
}

/** Every table's rows except the logs a refused request may legitimately append to (access log, sessions). */
async function snapshot(w: World): Promise<string> {
  const { db } = w.h.hearth.services;
  await w.h.hearth.settle();
  const tables = (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(db)).rows
    .map((r) => r.name)
    .filter((n) => !['access_log', 'sessions', 'kysely_migration', 'kysely_migration_lock'].includes(n));
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = (await sql.raw(`SELECT * FROM "${t}"`).execute(db)).rows.map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(out);
}

/** Build the world: two organisations on a virtual clock, a fall alert and a (disabled) channel in A. */
export async function buildWorld(): Promise<World> {
  const clock = new VirtualClock(Date.parse('2026-11-03T11:00:00Z'));
  const h = await startHearth({ clock });
  const a = await seedOrg(h.hearth, 'Security Org A', 'hub-sec-a');
  const b = await seedOrg(h.hearth, 'Security Org B', 'hub-sec-b');
  const hub = await hubOf(h.hearth, a.hub, clock);
  await hub.fall('sec-fall-a');
  hub.client.end(true);
  const operator = await apiAs(h.hearth, a.users.operator);
  const alertA = (await openAlert(operator, a.residentId)).id as string;
  const admin = await apiAs(h.hearth, a.users.admin);
  const ch = await admin.call('POST', '/api/channels', { ownerType: 'team', ownerId: a.neighbourhoodId, kind: 'webhook', config: { url: 'https://hooks.example.invalid/x', secret: 'security-suite-secret-0123' } });
  if (ch.status !== 201) throw new Error(`channel: ${ch.status} ${ch.body}`);
  const channelA = (ch.json.channel ?? ch.json).id as string;
  await h.hearth.services.db.updateTable('channels').set({ enabled: 0 }).where('id', '=', channelA).execute();
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  for (const role of ROLES) {
    tokens.a[role] = await signIn(h.hearth, a.users[role].username, a.users[role].password);
    tokens.b[role] = await signIn(h.hearth, b.users[role].username, b.users[role].password);
  }
  await h.hearth.settle();
  return { h, a, b, alertA, channelA, tokens };
}

function fill(url: string, params: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_m, p: string) => {
    if (!(p in params)) throw new Error(`the case for ${url} gives no value for :${p}`);
    return encodeURIComponent(params[p]!);
  });
}

async function send(w: World, method: string, url: string, token: string | undefined, body: unknown) {
  const res = await w.h.hearth.app.inject({
    method: method as 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
  });
  return { status: res.statusCode, body: res.body };
}

/** A guessed id of the same shape as a real one. */
function guess(value: string): string {
  if (/^[0-9a-f-]{36}$/.test(value)) return '00000000-0000-4000-8000-000000000000';
  return `${value.slice(0, 40)}-guess`;
}

/**
 * Run an area's cases. The first test fails, naming each route and this file,
 * when a route of the area has no case (or a case names no route).
 */
export function securitySuite(area: string, cases: RouteCase[]): void {
  describe(`routes security: ${area}`, () => {
    let w: World;
    let routes: RegisteredRoute[] = [];
    beforeAll(async () => {
      w = await buildWorld();
      routes = w.h.hearth.app.hearthRoutes.filter((r) => r.url.startsWith('/api/') && areaOf(r.url) === area);
    }, 60_000);
    afterAll(async () => w?.h.close());
    const routeOf = (c: RouteCase): RegisteredRoute => {
      const r = routes.find((x) => `${x.method} ${x.url}` === c.route);
      if (!r) throw new Error(`${c.route} is not a registered route; remove or fix its case in ${areaFile(area)}`);
      return r;
    };

    it(`every ${area} route has its security case in ${areaFile(area)}`, () => {
      const named = new Set(cases.map((c) => c.route));
      const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !named.has(k));
      expect(missing, `routes without a security case: add them to ${areaFile(area)}`).toEqual([]);
      const stale = [...named].filter((k) => !routes.some((r) => `${r.method} ${r.url}` === k));
      expect(stale, `cases in ${areaFile(area)} for routes that do not exist`).toEqual([]);
    });

    for (const c of cases) {
      describe(c.route, () => {
        const [method, url] = c.route.split(' ') as [string, string];
        const input = (who: World) => ({ params: c.params?.(who) ?? {}, query: c.query?.(who), body: c.body?.(who) });
        const target = (who: World, params: Record<string, string>, query?: string) => `${fill(url, params)}${query ? `?${query}` : ''}`;

        it('no session: 401, nothing changed', async () => {
          const r = routeOf(c);
          if (r.public) return;
          const { params, query, body } = input(w);
          if (r.websocket) {
            const status = await new Promise<number>((resolve) => {
              const ws = new WebSocket(`ws://127.0.0.1:${w.h.hearth.ports.http}${target(w, params, query)}`);
              ws.once('open', () => (ws.close(), resolve(101)));
              ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
              ws.once('error', () => resolve(0));
            });
            expect(status).toBe(401);
            return;
          }
          const before = await snapshot(w);
          const res = await send(w, method, target(w, params, query), undefined, body);
          expect(res.status, res.body).toBe(401);
          expect(await snapshot(w)).toBe(before);
        });

        it("each role it does not allow: 403 or 404, nothing changed", async () => {
          const r = routeOf(c);
          if (r.public) return;
          if (!r.roles) {
            expect(c.anyRole, `${c.route} declares no config.roles: declare them, or give its case in ${areaFile(area)} an anyRole reason`).toBeTruthy();
            return;
          }
          expect(c.anyRole, `${c.route} declares config.roles; remove anyRole from its case`).toBeUndefined();
          const { params, query, body } = input(w);
          const before = await snapshot(w);
          for (const role of ROLES.filter((x) => !r.roles!.includes(x))) {
            const res = await send(w, method, target(w, params, query), w.tokens.a[role], body);
            expect([403, 404], `${role}: ${res.status} ${res.body}`).toContain(res.status);
          }
          expect(await snapshot(w)).toBe(before);
        });

        it("another organisation's user with this organisation's ids: 404 or 403, nothing changed", async () => {
          const r = routeOf(c);
          if (r.public || r.websocket || c.noIds || !/:\w+/.test(url)) return;
          const { params, query, body } = input(w);
          const before = await snapshot(w);
          for (const role of r.roles ?? ROLES) {
            const res = await send(w, method, target(w, params, query), w.tokens.b[role], body);
            expect(c.crossStatus ?? [403, 404], `${role} of B: ${res.status} ${res.body}`).toContain(res.status);
          }
          expect(await snapshot(w)).toBe(before);
        });

        it('guessed ids: 404, nothing changed', async () => {
          const r = routeOf(c);
          if (r.public || r.websocket || c.noIds || !/:\w+/.test(url)) return;
          const { params, query, body } = input(w);
          const guessed = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, guess(v)]));
          const before = await snapshot(w);
          const res = await send(w, method, target(w, guessed, query), w.tokens.a[c.as ?? r.roles?.[0] ?? 'admin'], body);
          expect(c.guessedStatus ?? [404], res.body).toContain(res.status);
          expect(await snapshot(w)).toBe(before);
        });

        it('malformed input: 400, nothing changed', async () => {
          const r = routeOf(c);
          if (c.malformed === 'none' || r.websocket) return;
          const m = c.malformed;
          const { params, query, body } = input(w);
          const before = await snapshot(w);
          const res = await send(
            w,
            method,
            target(w, m.params ? m.params(w) : params, m.query ?? query),
            r.public ? undefined : w.tokens.a[c.as ?? r.roles?.[0] ?? 'admin'],
            'body' in m ? m.body : body,
          );
          expect(res.status, res.body).toBe(400);
          expect(await snapshot(w)).toBe(before);
        });
      });
    }
  });
}

/** Malformed path parameters: an id longer than any id (64 characters at most). */
export function tooLong(...names: string[]): { params: (w: World) => Record<string, string> } {
  return { params: () => Object.fromEntries(names.map((n) => [n, 'x'.repeat(65)])) };
}
