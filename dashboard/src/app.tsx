import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, SESSION_LOST, api, type UserInfo } from './api.ts';
import { needsAcknowledgement } from './alert-list.ts';
import { useNow } from './use-now.ts';
import { useOpenAlerts, type OpenAlerts } from './use-open-alerts.ts';
import { matchRoute, type PageContext } from './page-route.ts';
import { ROUTES } from './routes.ts';
import { SignIn } from './views/sign-in.tsx';

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    // Effects run a frame after the first draw: a change made in between fired no event we heard.
    on();
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
  const mine = ROUTES.filter((r) => r.roles.includes(user.role));
  // No path (just signed in): the role's own home page.
  const home = mine.find((r) => r.homeFor?.includes(user.role)) ?? mine[0];
  // Only `#/...` is a page path; any other fragment (an in-page anchor) leaves the home page.
  const matched = !hash.startsWith('#/') || hash === '#/' ? (home ? { route: home, params: {} } : null) : matchRoute(ROUTES, hash);
  const allowed = matched !== null && matched.route.roles.includes(user.role);
  const ctx: PageContext = { user, open, params: matched?.params ?? {} };
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

  const currentTop = matched?.route.path.split('/')[0];
  return (
    <div class="shell">
      <a
        class="skip"
        href="#content"
        onClick={(e) => {
          // Focus the content without touching the hash: the hash is the page's route.
          e.preventDefault();
          document.getElementById('content')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Hearth</span>
        <nav aria-label="Main">
          {mine
            .filter((r) => r.nav)
            .map((r) => (
              <a key={r.path} href={`#/${r.path}`} aria-current={currentTop === r.path ? 'page' : undefined}>
                {typeof r.nav === 'function' ? r.nav(ctx) : r.nav}
              </a>
            ))}
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
      <div id="content" tabIndex={-1}>{matched === null ? <NotFound /> : allowed ? matched.route.render(ctx) : <Forbidden />}</div>
    </div>
  );
}

function NotFound() {
  return (
    <main>
      <p class="error">There is no such page.</p>
    </main>
  );
}

function Forbidden() {
  return (
    <main>
      <p class="error">Your role does not give access to this page.</p>
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
