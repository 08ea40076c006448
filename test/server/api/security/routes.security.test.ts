import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHearth } from '../../../helpers/hearth.ts';
import { areaFile, areaFileExists, areaOf } from './driver.ts';

describe('routes security: every API route belongs to an area with a case file', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  beforeAll(async () => {
    h = await startHearth();
  });
  afterAll(async () => h.close());

  it('claims every /api route for an area whose file exists (a new route fails here or in its area file until it has cases)', () => {
    const routes = h.hearth.app.hearthRoutes.filter((r) => r.url.startsWith('/api/'));
    expect(routes.length).toBeGreaterThan(40);
    const unclaimed = routes.filter((r) => !areaOf(r.url)).map((r) => `${r.method} ${r.url}`);
    expect(unclaimed, 'routes no area claims: add their prefix to AREAS in test/server/api/security/driver.ts and their cases to that area file').toEqual([]);
    const noFile = [...new Set(routes.map((r) => areaOf(r.url)!))].filter((a) => !areaFileExists(a)).map(areaFile);
    expect(noFile, 'area files missing').toEqual([]);
  });
});
