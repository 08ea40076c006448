import { sql } from 'kysely';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth } from '../../../server/src/app.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { seedOrg, startHearth, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, type Api } from '../routing/fixture.ts';

describe('defect 13: headers and leftovers', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let coord: Api;
  beforeAll(async () => {
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Headers Org', 'hub-hdr-1');
    coord = await apiAs(h.hearth, fx.users.coordinator);
  });
  afterAll(async () => h.close());

  it('every answer has a CSP without framing, nosniff and no referrer; /api answers are not stored', async () => {
    for (const url of ['/api/health', '/', '/api/session']) {
      const res = await h.hearth.app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:80 wss:\/\/localhost:80/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
    const personal = await coord.call('GET', `/api/residents/${fx.residentId}`);
    expect(personal.status).toBe(200);
    expect(personal.headers['cache-control']).toBe('no-store');
    expect((await h.hearth.app.inject({ method: 'GET', url: '/api/alerts' })).headers['cache-control']).toBe('no-store');
  });

  it('the session cookie is Secure by default unless bound to loopback or configured for plain HTTP', () => {
    expect(loadConfig({ HEARTH_HOST: '0.0.0.0' }).cookieSecure).toBe(true);
    expect(loadConfig({ HEARTH_HOST: '10.1.2.3' }).cookieSecure).toBe(true);
    expect(loadConfig({}).cookieSecure).toBe(false);
    expect(loadConfig({ HEARTH_HOST: '::1' }).cookieSecure).toBe(false);
    expect(loadConfig({ HEARTH_HOST: '0.0.0.0', HEARTH_COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
    expect(loadConfig({ HEARTH_COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
  });

  it('trends for year 9999 and the report for 9999-12 answer 400, not 500', async () => {
    const admin = await apiAs(h.hearth, fx.users.admin);
    for (const url of [
      `/api/residents/${fx.residentId}/trends?from=9999-12-01&to=9999-12-31`,
      `/api/residents/${fx.residentId}/trends/heatmap?from=9999-12-01&to=9999-12-31`,
      `/api/residents/${fx.residentId}/trends?to=9999-12-31`,
    ]) {
      const res = await coord.call('GET', url);
      expect(res.status, `${url}: ${res.body}`).toBe(400);
      expect(res.json.code).toBe('HEARTH_ERR_VALIDATION');
    }
    for (const url of [`/api/reports/service?neighbourhoodId=${fx.neighbourhoodId}&month=9999-12`, `/api/reports/service.csv?neighbourhoodId=${fx.neighbourhoodId}&month=9999-12`]) {
      const res = await admin.call('GET', url);
      expect(res.status, `${url}: ${res.body}`).toBe(400);
    }
  });
});

describe('defect 13: a full disk at sign-in', () => {
  it('answers 503 HEARTH_ERR_STORAGE_UNAVAILABLE and logs the real error', async () => {
    const tmp = tempDir();
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => { lines.push(String(chunk)); cb(); } });
    const config = { ...loadConfig({}), httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir: tmp.dir, demo: 'off' as const };
    const hearth = await createHearth({ config, logger: pino({ level: 'info' }, sink) });
    try {
      const fx = await seedOrg(hearth, 'Full Disk Org', 'hub-full-1');
      const { db } = hearth.services;
      const pages = Number(((await sql<{ page_count: number }>`PRAGMA page_count`.execute(db)).rows[0] as any).page_count);
      await sql.raw(`PRAGMA max_page_count = ${pages}`).execute(db);
      let res;
      for (let i = 0; i < 500; i++) {
        res = await hearth.app.inject({ method: 'POST', url: '/api/session', payload: { username: fx.users.operator.username, password: fx.users.operator.password } });
        if (res.statusCode !== 200) break;
      }
      expect(res!.statusCode, res!.body).toBe(503);
      expect(res!.json()).toMatchObject({ code: 'HEARTH_ERR_STORAGE_UNAVAILABLE' });
      const log = lines.join('');
      expect(log).toMatch(/SQLITE_FULL|database or disk is full/);
      expect(log).not.toContain('cannot rollback');
      await sql.raw('PRAGMA max_page_count = 1073741823').execute(db);
    } finally {
      await hearth.app.close();
      await hearth.services.db.destroy();
      tmp.remove();
    }
  });
});
