import type { FastifyPluginAsync } from 'fastify';
import { canSeeAlert } from '../auth/policy.ts';
import { userOf } from './auth-plugin.ts';

/**
 * WebSocket `/api/stream`: live alert changes for the signed-in user, as JSON
 * messages `{ "type": "alert", "change", "alert" }`. The session is checked at
 * the upgrade (cookie or bearer token), by the same hook as every API route.
 */
export const streamRoutes: FastifyPluginAsync = async (app) => {
  const clients = new Set<{ send: (msg: string) => void; user: ReturnType<typeof userOf> }>();
  const off = app.hearth.bus.on('alert.changed', ({ alert, change }) => {
    const msg = JSON.stringify({ type: 'alert', change, alert });
    for (const c of clients) {
      if (canSeeAlert(c.user, alert)) c.send(msg);
    }
  });
  app.addHook('onClose', async () => off());

  app.get('/api/stream', { websocket: true, schema: { summary: 'Live alert changes (WebSocket)', tags: ['alerts'] } }, (socket, req) => {
    const user = userOf(req);
    const client = {
      user,
      send: (msg: string) => {
        if (socket.readyState === socket.OPEN) socket.send(msg);
      },
    };
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    socket.on('error', () => clients.delete(client));
    socket.send(JSON.stringify({ type: 'hello', user: { id: user.id, role: user.role } }));
  });
};
