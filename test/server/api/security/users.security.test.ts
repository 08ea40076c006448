import { securitySuite, tooLong, type World } from './driver.ts';

const operatorUser = (w: World) => ({ id: w.a.users.operator.id });

securitySuite('users', [
  { route: 'POST /api/session', body: () => ({ username: 'nobody', password: 'nothing-at-all' }), malformed: { body: { username: '' } } },
  { route: 'GET /api/session', anyRole: "who am I", malformed: 'none' },
  { route: 'DELETE /api/session', anyRole: "sign out", malformed: 'none' },
  { route: 'PUT /api/session/password', anyRole: "one's own password", body: () => ({ currentPassword: 'wrong-wrong', newPassword: 'amber fjord lantern 42' }), malformed: { body: { currentPassword: 'x', newPassword: 'short' } } },
  { route: 'GET /api/users', query: () => '', malformed: { query: 'role=king' } },
  { route: 'POST /api/users', body: () => ({ username: 'sec-new-user', password: 'amber fjord lantern 42', role: 'operator' }), malformed: { body: { username: 'sec-new-user', password: 'amber fjord lantern 42', role: 'king' } } },
  { route: 'PATCH /api/users/:id', params: operatorUser, body: () => ({ displayName: 'Changed' }), malformed: { body: { role: 'king' } } },
  { route: 'POST /api/users/:id/disable', params: operatorUser, malformed: tooLong('id') },
  { route: 'POST /api/users/:id/enable', params: operatorUser, malformed: tooLong('id') },
  { route: 'POST /api/users/:id/password', params: operatorUser, body: () => ({ password: 'amber fjord lantern 42' }), malformed: { body: { password: 'short' } } },
  { route: 'PUT /api/users/:id/lead', params: operatorUser, body: () => ({ lead: true }), malformed: { body: { lead: 'yes' } } },
  { route: 'GET /api/admin/users', malformed: 'none' },
  { route: 'GET /api/audit/access', query: () => 'limit=5', malformed: { query: 'limit=0' } },
]);
