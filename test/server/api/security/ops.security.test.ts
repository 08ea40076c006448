import { securitySuite } from './driver.ts';

securitySuite('ops', [
  { route: 'GET /api/health', malformed: 'none' },
  { route: 'GET /api/ready', malformed: 'none' },
  { route: 'GET /api/openapi.json', malformed: 'none' },
]);
