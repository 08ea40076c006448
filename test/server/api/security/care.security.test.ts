import { securitySuite, tooLong, type World } from './driver.ts';

const nb = (w: World) => ({ id: w.a.neighbourhoodId });
const channel = (w: World) => ({ id: w.channelA });

securitySuite('care', [
  { route: 'GET /api/neighbourhoods', anyRole: "names and hours of the teams, for every console page", malformed: 'none' },
  { route: 'POST /api/neighbourhoods', body: () => ({ name: 'East' }), malformed: { body: { name: 'East', urgentStart: '25:00' } } },
  { route: 'PATCH /api/neighbourhoods/:id', params: nb, body: () => ({ name: 'North again' }), malformed: { body: { timezone: 'Mars/Olympus' } } },
  { route: 'GET /api/neighbourhoods/:id/routing', params: nb, malformed: tooLong('id') },
  { route: 'PUT /api/neighbourhoods/:id/routing', params: nb, body: () => ({ rules: [] }), malformed: { body: { rules: 'all' } } },
  { route: 'GET /api/channels', query: () => '', malformed: { query: 'ownerType=martian' } },
  {
    route: 'POST /api/channels',
    body: (w) => ({ ownerType: 'team', ownerId: w.a.neighbourhoodId, kind: 'webhook', config: { url: 'https://hooks.example.invalid/y', secret: 'another-secret-0123456789' } }),
    malformed: { body: { ownerType: 'team', kind: 'webhook', config: { url: 'ftp://x', secret: 'short' } } },
  },
  { route: 'PATCH /api/channels/:id', params: channel, body: () => ({ enabled: false }), malformed: { body: { enabled: 'maybe' } } },
  { route: 'DELETE /api/channels/:id', params: channel, malformed: tooLong('id') },
  { route: 'POST /api/channels/:id/test', params: channel, malformed: tooLong('id') },
  { route: 'GET /api/channels/:id/deliveries', params: channel, query: () => 'limit=5', malformed: { query: 'limit=-1' } },
  { route: 'GET /api/organisation', anyRole: "the organisation's name and settings, no personal data", malformed: 'none' },
  { route: 'PATCH /api/organisation', body: () => ({ name: 'Security Org A' }), malformed: { body: { defaultTimezone: 'Mars/Olympus' } } },
  { route: 'GET /api/reports/service', query: (w) => `neighbourhoodId=${w.a.neighbourhoodId}&month=2026-10`, malformed: { query: 'month=9999-12&neighbourhoodId=x' } },
  { route: 'GET /api/reports/service.csv', query: (w) => `neighbourhoodId=${w.a.neighbourhoodId}&month=2026-10`, malformed: { query: 'month=2026-13&neighbourhoodId=x' } },
]);
