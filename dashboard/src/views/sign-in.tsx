import { useState } from 'preact/hooks';
import { ApiError, api, type UserInfo } from '../api.ts';

/** The sign-in form; a wrong password or an unreachable server is said plainly. */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (user: UserInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.signIn(username.trim(), password);
      setPassword('');
      onSignedIn(user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError('Wrong username or password. Check both and try again.');
      else if (err instanceof ApiError && err.status === 400) setError('Enter both a username and a password.');
      else setError(err instanceof ApiError ? err.message : 'Sign-in failed. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>Hearth console</h1>
      <p class="muted">Telecare monitoring. Sign in with your own account.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          autoFocus
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
