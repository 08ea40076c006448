import type { FastifyPluginAsync } from 'fastify';
import { hashToken } from '../auth/crypto.ts';
import { canSeeAlert } from '../auth/policy.ts';
import type { UserInfo } from '../care/directory.ts';
import type { TimerHandle } from '../clock.ts';
import { tokenOf, userOf } from './auth-plugin.ts';

/** How often every open stream re-checks its session (sign-out elsewhere, expiry, a disabled user), on the injected clock. */
export const STREAM_RECHECK_MS = 5_000;
/** WebSocket close code when the session behind a stream has ended. */
export const STREAM_SESSION_ENDED = 4401;

interface StreamClient {
  user: UserInfo;
  tokenHash: string;
  send: (msg: string) => void;
  close: () => void;
}

/**
 * WebSocket `/api/stream`: live alert changes for the signed-in user, as JSON
 * messages `{ "type": "alert", "change", "alert" }`. The session is checked at
 * the upgrade (cookie or bearer token, and the Origin, by the auth plugin), and
 * again every STREAM_RECHECK_MS; a sign-out, a disabled user or a password
 * change closes the socket at once. Connecting and each alert delivered are in
 * the access log.
 */
export const streamRoutes: FastifyPluginAsync = async (app) => {
  const { sessions, clock, audit } = app.hearth;
  const clients = new Set<StreamClient>();
  const logRead = (user: UserInfo, action: string, subjects: (string | null)[]): void => {
    audit.record(user, action, subjects.filter((s): s is string => !!s)).catch((err: unknown) => app.log.error({ err }, 'access log write failed'));
  };
  const off = app.hearth.bus.on('alert.changed', ({ alert, change }) => {
    const msg = JSON.stringify({ type: 'alert', change, alert });
    for (const c of clients) {
      if (!canSeeAlert(c.user, alert)) continue;
      c.send(msg);
      logRead(c.user, 'stream.alert', [alert.residentId, alert.id]);
    }
  });
  const offRevoked = sessions.onRevoked((r) => {
    for (const c of clients) {
      const hit = 'tokenHash' in r ? c.tokenHash === r.tokenHash : c.user.id === r.userId && c.tokenHash !== r.keep;
      if (hit) c.close();
    }
  });
  let timer: TimerHandle | undefined;
  let stopped = false;
  const recheck = async (): Promise<void> => {
    for (const c of [...clients]) {
      const user = await sessions.lookupHash(c.tokenHash).catch(() => undefined);
      if (!user) c.close();
      else c.user = user; // a changed role or neighbourhood applies from now on
    }
  };
  const loop = (): void => {
    if (stopped) return;
    recheck()
      .catch((err: unknown) => app.log.error({ err }, 'stream session re-check failed'))
      .finally(() => {
        if (!stopped) timer = clock.setTimeout(loop, STREAM_RECHECK_MS);
      });
  };
  app.addHook('onReady', async () => {
    timer = clock.setTimeout(loop, STREAM_RECHECK_MS);
  });
  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clock.clearTimeout(timer);
    off();
    offRevoked();
  });

  app.get('/api/stream', { websocket: true, schema: { summary: 'Live alert changes (WebSocket)', tags: ['alerts'] } }, (socket, req) => {
    const user = userOf(req);
    const client: StreamClient = {
      user,
      tokenHash: hashToken(tokenOf(req) ?? ''),
      send: (msg: string) => {
        if (socket.readyState === socket.OPEN) socket.send(msg);
      },
      close: () => {
        clients.delete(client);
        if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
          socket.send(JSON.stringify({ type: 'session-ended' }));
          socket.close(STREAM_SESSION_ENDED, 'session ended');
        }
      },
    };
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    socket.on('error', () => clients.delete(client));
    logRead(user, 'stream.connect', [user.id]);
    socket.send(JSON.stringify({ type: 'hello', user: { id: user.id, role: user.role } }));
  });
};
