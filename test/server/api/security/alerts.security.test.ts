import { securitySuite, tooLong, type World } from './driver.ts';

const alert = (w: World) => ({ id: w.alertA });

securitySuite('alerts', [
  { route: 'GET /api/alerts', anyRole: "every role sees the alerts its role may see (policy: canSeeAlert)", query: () => 'state=open', malformed: { query: 'state=bogus' } },
  { route: 'GET /api/alerts/:id', anyRole: "an alert the role may not see is not found", params: alert, malformed: tooLong('id') },
  { route: 'GET /api/alerts/history', query: () => 'page=1', malformed: { query: 'pageSize=100000' } },
  { route: 'GET /api/alerts/handover', query: () => 'hours=8', malformed: { query: 'hours=-5' } },
  { route: 'GET /api/alerts/:id/notifications', anyRole: "as the alert itself", params: alert, malformed: tooLong('id') },
  { route: 'GET /api/alerts/:id/dispatch-options', params: alert, malformed: tooLong('id') },
  { route: 'GET /api/alerts/:id/script', anyRole: "as the alert itself", params: alert, malformed: tooLong('id') },
  { route: 'GET /api/alerts/:id/routing', anyRole: "as the alert itself", params: alert, malformed: tooLong('id') },
  { route: 'POST /api/alerts/:id/notes', params: alert, body: () => ({ text: 'a note' }), malformed: { body: { text: 5 } } },
  { route: 'POST /api/alerts/:id/assign', params: alert, body: (w) => ({ responderId: w.a.users.responder.id }), malformed: { body: {} } },
  { route: 'POST /api/alerts/:id/ack', params: alert, malformed: tooLong('id') },
  { route: 'POST /api/alerts/:id/dispatch', params: alert, body: () => ({ to: 'team' }), malformed: { body: { to: 'the-moon' } } },
  { route: 'POST /api/alerts/:id/en-route', params: alert, body: () => ({}), malformed: { body: { note: 5 } } },
  { route: 'POST /api/alerts/:id/on-site', params: alert, body: () => ({}), malformed: { body: { note: 5 } } },
  { route: 'POST /api/alerts/:id/resolve', params: alert, body: () => ({ outcome: 'false-alarm' }), malformed: { body: { outcome: 'bogus' } } },
  { route: 'POST /api/alerts/:id/cancel', params: alert, body: () => ({ reason: 'test' }), malformed: { body: {} } },
  { route: 'GET /api/presence', malformed: 'none' },
  { route: 'PUT /api/presence', body: () => ({ onShift: true }), malformed: { body: { onShift: 'yes' } } },
  { route: 'GET /api/stream', anyRole: "each role is streamed the alerts it may see", malformed: 'none' },
]);
