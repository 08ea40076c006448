import { useCallback, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { ago } from '../../format.ts';
import { CopyButton } from '../../ui/copy-button.tsx';
import { useNow } from '../../use-now.ts';
import { installerApi, type HubRow, type Registered } from './api.ts';
import { HubStatus, PhaseBadge } from './hub-status.tsx';
import { reasonInWords } from './reasons.ts';
import { usePolled } from './use-polled.ts';
import './installer.css';

/** Rejected-message counts, each reason in words with its code. */
export function RejectionCounts({ counts }: { counts: Record<string, number | undefined> }) {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="counts-list">
      {entries.map(([reason, n]) => (
        <li key={reason}>
          {reasonInWords(reason)}{' '}
          <small>
            <code>{reason}</code>: {n}
          </small>
        </li>
      ))}
    </ul>
  );
}

/** Register a hub: the server answers with its secret, shown here once, inside the gateway's config file. */
function RegisterHub({ onRegistered }: { onRegistered: () => void }) {
  const [hubId, setHubId] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Registered | null>(null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDone(await installerApi.register(hubId.trim(), name.trim() || undefined));
      setHubId('');
      setName('');
      onRegistered();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const config = done ? JSON.stringify(done.gatewayConfig, null, 2) : '';
  return (
    <section class="register-hub" aria-labelledby="register-heading">
      <h2 id="register-heading">Register a hub</h2>
      <form onSubmit={(e) => void submit(e)} class="inline-form">
        <label>
          Hub id <span class="muted small">(printed on the box: 3 to 64 of a-z, 0-9 and -)</span>
          <input name="hubId" value={hubId} required pattern="[a-z0-9-]{3,64}" onInput={(e) => setHubId((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Name <span class="muted small">(optional, e.g. the address)</span>
          <input name="name" value={name} maxLength={128} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Registering…' : 'Register hub'}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <div class="registered" role="region" aria-label={`Gateway configuration for ${done.hubId}`}>
          <p>
            <strong>Hub {done.hubId} is registered.</strong> Its secret is in the configuration below and is shown <strong>only now</strong>: copy it to
            the hub (as <code>/etc/hearth/gateway.json</code>) and start it with <code>npm run gateway -- --config /etc/hearth/gateway.json</code>. Add the
            hub's sensor adapters to <code>adapters</code> (docs/gateway.md). If it is lost, a new secret must be issued.
          </p>
          <pre class="config-snippet" tabIndex={0} aria-label="Gateway configuration file">
            {config}
          </pre>
          <CopyButton text={config} label="Copy the configuration" />{' '}
          <a href={`#/hubs/${encodeURIComponent(done.hubId)}`}>Go to hub {done.hubId}</a>
        </div>
      )}
    </section>
  );
}

/** Hubs of the organisation: one status each, whose home, commissioning, rejected messages; and registering a new one. */
export function HubsPage({ canRegister }: { canRegister: boolean }) {
  const now = useNow(1000);
  const load = useCallback(() => installerApi.hubs(), []);
  const { data, error, reload } = usePolled(load, 5000);
  return (
    <main>
      <div class="view-head">
        <h1>Hubs</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="muted">Loading hubs…</p>}
      {data && data.hubs.length === 0 && <p class="empty">No hubs yet.</p>}
      {data && data.hubs.length > 0 && (
        <table class="plain hubs">
          <thead>
            <tr>
              <th scope="col">Hub</th>
              <th scope="col">Home of</th>
              <th scope="col">Status</th>
              <th scope="col">Monitoring</th>
              <th scope="col">Last heard</th>
              <th scope="col">Firmware / power</th>
              <th scope="col">Rejected messages</th>
            </tr>
          </thead>
          <tbody>
            {data.hubs.map((h: HubRow) => (
              <tr key={h.id} data-hub-id={h.id}>
                <td>
                  <a href={`#/hubs/${encodeURIComponent(h.id)}`}>{h.id}</a>
                  {h.name !== h.id && <div class="muted">{h.name}</div>}
                </td>
                <td>{h.residents.length ? h.residents.map((r) => r.name).join(', ') : <span class="muted">no resident yet</span>}</td>
                <td>
                  <HubStatus state={h.state} summary={h.stateSummary} />
                </td>
                <td>
                  <PhaseBadge phase={h.phase} />
                </td>
                <td>{ago(h.lastSeenAt, now)}</td>
                <td>
                  {h.firmware ?? '–'} / {h.power ?? '–'}
                </td>
                <td>
                  <RejectionCounts counts={h.rejected} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canRegister && <RegisterHub onRegistered={reload} />}
    </main>
  );
}
