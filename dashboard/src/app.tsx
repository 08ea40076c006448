import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Role } from '../../server/src/care/model.ts';
import { ApiError, SESSION_LOST, api, type UserInfo } from './api.ts';
import { needsAcknowledgement } from './alert-list.ts';
import { useNow } from './use-now.ts';
import { useOpenAlerts, type OpenAlerts } from './use-open-alerts.ts';
import { AlertsView } from './views/alerts-view.tsx';
import { HubDetail, HubsView } from './views/hubs-view.tsx';
import { SignIn } from './views/sign-in.tsx';

/** Roles that may see hubs, sensors and rejected messages (the server's HUB_VIEWERS). */
const HUB_ROLES: readonly Role[] = ['installer', 'admin', 'operator'];

type Route = { view: 'alerts' } | { view: 'hubs' } | { view: 'hub'; hubId: string };

function parseHash(hash: string, role: Role | undefined): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'hubs' && parts[1]) return { view: 'hub', hubId: decodeURIComponent(parts[1]) };
  if (parts[0] === 'hubs') return { view: 'hubs' };
  if (parts[0] === 'alerts') return { view: 'alerts' };
  // Installers start at their hubs; everyone else at the alerts.
  return role === 'installer' ? { view: 'hubs' } : { view: 'alerts' };
}

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** The Hearth console: sign-in, then the live alerts and the installer's hubs. */
export function App() {
  const [user, setUser] = useState<UserInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  const sessionLost = useCallback(() => {
    setUser((u) => {
      if (u) setNotice('Your session has ended. Sign in again to continue.');
      return null;
    });
  }, []);

  useEffect(() => {
    api
      .whoAmI()
      .then((r) => setUser(r.user))
      .catch((err: unknown) => {
        setUser(null);
        if (!(err instanceof ApiError && err.status === 401)) setNotice(err instanceof ApiError ? err.message : 'The server cannot be reached.');
      });
    SESSION_LOST.addEventListener('lost', sessionLost);
    return () => SESSION_LOST.removeEventListener('lost', sessionLost);
  }, [sessionLost]);

  const open = useOpenAlerts(Boolean(user), sessionLost);

  if (user === undefined) return <p class="muted loading">Loading…</p>;
  if (user === null)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(u) => {
          setNotice(null);
          setUser(u);
        }}
      />
    );
  return <Console user={user} open={open} onSignOut={() => setUser(null)} />;
}

function Console({ user, open, onSignOut }: { user: UserInfo; open: OpenAlerts; onSignOut: () => void }) {
  const hash = useHash();
  const route = parseHash(hash, user.role);
  const canSeeHubs = HUB_ROLES.includes(user.role);
  const waiting = open.alerts.filter(needsAcknowledgement).length;

  useEffect(() => {
    // The tab title carries the count, so a console in a background tab still shows that someone is waiting.
    document.title = waiting > 0 ? `(${waiting}) Hearth console` : 'Hearth console';
  }, [waiting]);

  const signOut = async () => {
    try {
      await api.signOut();
    } catch {
      // Signed out locally either way; the session expires on the server.
    }
    onSignOut();
  };

  const current = route.view === 'alerts' ? 'alerts' : 'hubs';
  return (
    <div class="shell">
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Hearth</span>
        <nav aria-label="Main">
          <a href="#/alerts" aria-current={current === 'alerts' ? 'page' : undefined}>
            Alerts{open.alerts.length > 0 ? ` (${open.alerts.length})` : ''}
          </a>
          {canSeeHubs && (
            <a href="#/hubs" aria-current={current === 'hubs' ? 'page' : undefined}>
              Hubs
            </a>
          )}
        </nav>
        <span class="who">
          {user.displayName} <span class="muted">({user.role})</span>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <LiveBanner open={open} />
      <div class="visually-hidden" aria-live="assertive">
        {open.announcement}
      </div>
      <div id="content">
        {route.view === 'alerts' && <AlertsView me={user} open={open} />}
        {route.view === 'hubs' && (canSeeHubs ? <HubsView /> : <Forbidden />)}
        {route.view === 'hub' && (canSeeHubs ? <HubDetail hubId={route.hubId} /> : <Forbidden />)}
      </div>
    </div>
  );
}

function Forbidden() {
  return (
    <main>
      <p class="error">Your role does not give access to hubs.</p>
    </main>
  );
}

/** The "live updates disconnected" banner, with the countdown to the next attempt. */
function LiveBanner({ open }: { open: OpenAlerts }) {
  const now = useNow(1000);
  if (open.live.kind !== 'down') return null;
  const secs = Math.max(0, Math.ceil((open.live.retryAt - now) / 1000));
  return (
    <div class="banner" role="alert" data-testid="live-banner">
      <strong>Live updates disconnected.</strong> New alerts will not appear until the connection is back.{' '}
      {secs > 0 ? `Reconnecting in ${secs} s.` : 'Reconnecting…'}{' '}
      <button type="button" onClick={open.reconnectNow}>
        Reconnect now
      </button>
    </div>
  );
}
