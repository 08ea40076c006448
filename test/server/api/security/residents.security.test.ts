import { securitySuite, tooLong, type World } from './driver.ts';

const resident = (w: World) => ({ id: w.a.residentId });

securitySuite('residents', [
  { route: 'GET /api/residents', query: () => '', malformed: { query: 'neighbourhoodId=' } },
  {
    route: 'POST /api/residents',
    body: (w) => ({ name: 'New Person', neighbourhoodId: w.a.neighbourhoodId, consent: { monitoring: true, shareWithContacts: false } }),
    malformed: { body: { name: '' } },
  },
  { route: 'GET /api/residents/:id', params: resident, malformed: tooLong('id') },
  { route: 'GET /api/residents/:id/page', params: resident, malformed: tooLong('id') },
  { route: 'GET /api/residents/:id/record', params: resident, malformed: tooLong('id') },
  { route: 'PUT /api/residents/:id/record', params: resident, body: () => ({}), malformed: { body: [] } },
  { route: 'GET /api/residents/:id/notes', params: resident, malformed: tooLong('id') },
  { route: 'POST /api/residents/:id/notes', params: resident, body: () => ({ text: 'a note' }), malformed: { body: { text: 5 } } },
  { route: 'GET /api/residents/:id/subject-access', params: resident, malformed: { query: 'format=exe' } },
  { route: 'GET /api/residents/:id/trends', params: resident, query: () => 'from=2026-10-01&to=2026-10-07', malformed: { query: 'from=9999-12-01&to=9999-12-31' } },
  { route: 'GET /api/residents/:id/trends/heatmap', params: resident, query: () => 'from=2026-10-01&to=2026-10-07', malformed: { query: 'from=2026-13-01' } },
  { route: 'PATCH /api/residents/:id/plan', params: resident, body: () => ({ usualRising: '08:30' }), malformed: { body: { usualRising: '25:99' } } },
  { route: 'PATCH /api/residents/:id/plan-settings', params: resident, body: () => ({ usualRising: '08:30' }), malformed: { body: { usualRising: '25:99' } } },
  { route: 'PUT /api/residents/:id/contacts', params: resident, body: () => ({ contacts: [] }), malformed: { body: { contacts: 'none' } } },
  { route: 'PUT /api/residents/:id/consent', params: resident, body: () => ({ monitoring: true, shareWithContacts: false }), malformed: { body: { monitoring: 'yes' } } },
  { route: 'PUT /api/residents/:id/away', params: resident, body: () => ({ away: false }), malformed: { body: { away: 'no' } } },
  { route: 'PUT /api/residents/:id/away-mode', params: resident, body: () => ({ away: false }), malformed: { body: { away: 'no' } } },
  { route: 'PUT /api/residents/:id/coordinator', params: resident, body: (w) => ({ coordinatorId: w.a.users.coordinator.id }), malformed: { body: {} } },
  { route: 'GET /api/caseload', query: () => '', malformed: { query: `q=${'x'.repeat(1000)}` } },
]);
