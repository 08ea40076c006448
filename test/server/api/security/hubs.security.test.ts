import { securitySuite, tooLong, type World } from './driver.ts';

const hub = (w: World) => ({ hubId: w.a.hub.hubId });

securitySuite('hubs', [
  { route: 'GET /api/hubs', malformed: 'none' },
  { route: 'POST /api/hubs', body: () => ({ hubId: 'hub-sec-new' }), malformed: { body: { hubId: '' } } },
  { route: 'GET /api/hub-health', malformed: 'none' },
  { route: 'GET /api/hubs/:hubId/sensors', params: hub, malformed: tooLong('hubId') },
  { route: 'PUT /api/hubs/:hubId/sensors/:sensorId', params: (w) => ({ ...hub(w), sensorId: 'hall-fall' }), body: () => ({ type: 'fall', room: 'hall' }), malformed: { body: { type: 'teleporter', room: 'hall' } } },
  { route: 'GET /api/hubs/:hubId/rejections', params: hub, query: () => 'limit=10', malformed: { query: 'limit=0' } },
  { route: 'POST /api/hubs/:hubId/commands', params: hub, body: () => ({ cmd: 'ping' }), malformed: { body: { cmd: 'format-disk' } } },
  { route: 'GET /api/hubs/:hubId/commissioning', params: hub, malformed: tooLong('hubId') },
  { route: 'POST /api/hubs/:hubId/walk-test', params: hub, malformed: tooLong('hubId') },
  { route: 'GET /api/hubs/:hubId/walk-test', params: hub, malformed: tooLong('hubId') },
  { route: 'POST /api/hubs/:hubId/go-live', params: hub, malformed: tooLong('hubId') },
  { route: 'GET /api/hubs/:hubId/unmapped', params: hub, malformed: tooLong('hubId') },
  { route: 'PUT /api/hubs/:hubId/mappings', params: hub, body: () => ({ device: 'radar-1', sensor: 'hall-fall', fields: [{ property: 'fall', type: 'fall' }] }), malformed: { body: { device: 5 } } },
]);
