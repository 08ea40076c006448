import { useCallback, useEffect, useState } from 'preact/hooks';
// The sensor-kind table straight from its file: the protocol index would also bundle every message schema (about 70 kB more).
import { SENSOR_KINDS } from '../../../protocol/sensor-kinds.ts';
import { ApiError, api, type HubSensor, type HubSummary, type Rejection, type RejectionCounts } from '../api.ts';
import { ago, clockTime } from '../format.ts';
import { useNow } from '../use-now.ts';

/** How often the installer view reloads (there is no hub stream). */
const REFRESH_MS = 10_000;
/** A battery at or below this is shown as low. */
const LOW_BATTERY = 20;

/** Call `load` (a stable function) now and every REFRESH_MS while mounted; its last result and error. */
function usePolled<T>(load: () => Promise<T>): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(() => {
    load()
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not load.'));
  }, [load]);
  useEffect(() => {
    setData(null);
    run();
    const t = setInterval(run, REFRESH_MS);
    return () => clearInterval(t);
  }, [run]);
  return { data, error, reload: run };
}

function Counts({ counts }: { counts: RejectionCounts }) {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="counts-list">
      {entries.map(([reason, n]) => (
        <li key={reason}>
          <code>{reason}</code>: {n}
        </li>
      ))}
    </ul>
  );
}

/** Hubs of the organisation: status, connection, last seen, rejected messages. */
export function HubsView() {
  const now = useNow(1000);
  const { data, error, reload } = usePolled(api.hubs);
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
      {data && data.hubs.length === 0 && <p class="empty">No hubs are commissioned yet.</p>}
      {data && data.hubs.length > 0 && (
        <table class="plain hubs">
          <thead>
            <tr>
              <th scope="col">Hub</th>
              <th scope="col">Status</th>
              <th scope="col">Connected</th>
              <th scope="col">Last seen</th>
              <th scope="col">Firmware / power</th>
              <th scope="col">Rejected messages</th>
            </tr>
          </thead>
          <tbody>
            {data.hubs.map((h: HubSummary) => (
              <tr key={h.id} data-hub-id={h.id}>
                <td>
                  <a href={`#/hubs/${encodeURIComponent(h.id)}`}>{h.name}</a>
                  {h.name !== h.id && <div class="muted">{h.id}</div>}
                </td>
                <td>
                  <span class={`tag status-${h.status}`}>{h.status.replace(/-/g, ' ')}</span>
                </td>
                <td>{h.connected ? <span class="tag ok">Connected</span> : <span class="tag warn">Not connected</span>}</td>
                <td>{ago(h.lastSeenAt, now)}</td>
                <td>
                  {h.firmware ?? '–'} / {h.power ?? '–'}
                </td>
                <td>
                  <Counts counts={h.rejected} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

function kindMeaning(type: string): string {
  return (SENSOR_KINDS as Record<string, { meaning: string }>)[type]?.meaning ?? 'unknown sensor kind';
}

/** One hub: its sensors (those seen but not commissioned stand out) and the messages set aside. */
export function HubDetail({ hubId }: { hubId: string }) {
  const now = useNow(1000);
  const load = useCallback(async () => {
    const [s, r, h] = await Promise.all([api.sensors(hubId), api.rejections(hubId), api.hubs()]);
    return { sensors: s.sensors, ...r, hub: h.hubs.find((x) => x.id === hubId) };
  }, [hubId]);
  const { data, error } = usePolled(load);
  const uncommissioned = data?.sensors.filter((s) => !s.commissioned).length ?? 0;

  return (
    <main>
      <p>
        <a href="#/hubs">← All hubs</a>
      </p>
      <h1>{data?.hub && data.hub.name !== hubId ? `${data.hub.name} (${hubId})` : `Hub ${hubId}`}</h1>
      {data?.hub?.connected && <IdentifyButton hubId={hubId} />}
      {data?.hub && (
        <p class="hub-summary">
          <span class={`tag status-${data.hub.status}`}>{data.hub.status.replace(/-/g, ' ')}</span>{' '}
          {data.hub.connected ? <span class="tag ok">Connected</span> : <span class="tag warn">Not connected</span>} · last seen{' '}
          {ago(data.hub.lastSeenAt, now)} · firmware {data.hub.firmware ?? 'unknown'} · power {data.hub.power ?? 'unknown'}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="muted">Loading…</p>}
      {data && (
        <>
          <h2>Sensors</h2>
          {uncommissioned > 0 && (
            <p class="notice" role="status">
              {uncommissioned} sensor{uncommissioned > 1 ? 's have' : ' has'} been seen but not commissioned: set the room and role so its events count.
            </p>
          )}
          {data.sensors.length === 0 ? (
            <p class="empty">No sensors yet.</p>
          ) : (
            <table class="plain sensors">
              <thead>
                <tr>
                  <th scope="col">Sensor</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Room / role</th>
                  <th scope="col">Commissioned</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Battery</th>
                </tr>
              </thead>
              <tbody>
                {data.sensors.map((s: HubSensor) => (
                  <tr key={s.sensorId} class={s.commissioned ? '' : 'uncommissioned'} data-sensor-id={s.sensorId}>
                    <td>
                      <code>{s.sensorId}</code>
                    </td>
                    <td>
                      {s.type}
                      <div class="muted small">{kindMeaning(s.type)}</div>
                    </td>
                    <td>
                      {s.room ?? '–'}
                      {s.role ? ` / ${s.role}` : ''}
                    </td>
                    <td>{s.commissioned ? 'Yes' : <strong class="tag warn">Not commissioned</strong>}</td>
                    <td>{ago(s.lastSeenAt, now)}</td>
                    <td>{s.battery === null ? '–' : <span class={s.battery <= LOW_BATTERY ? 'tag warn' : ''}>{s.battery}%</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Rejected messages</h2>
          <Counts counts={data.counts} />
          {data.rejections.length === 0 ? (
            <p class="empty">Nothing has been rejected.</p>
          ) : (
            <table class="plain rejections">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Detail</th>
                  <th scope="col">Payload</th>
                </tr>
              </thead>
              <tbody>
                {data.rejections.map((r: Rejection) => (
                  <tr key={r.id}>
                    <td>
                      <time dateTime={r.receivedAt}>{clockTime(r.receivedAt, now)}</time>
                      <div class="muted small">{r.topic}</div>
                    </td>
                    <td>
                      <code>{r.reason}</code>
                    </td>
                    <td>{r.detail}</td>
                    <td>
                      <Payload text={r.payload} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </main>
  );
}

function Payload({ text }: { text: string }) {
  if (text.length <= 120) return <pre class="payload">{text}</pre>;
  return (
    <details>
      <summary>
        <code>{text.slice(0, 80)}…</code> ({text.length} characters)
      </summary>
      <pre class="payload">{text}</pre>
    </details>
  );
}

/** The installer's "which box is this?": the hub blinks and beeps for 30 s. */
function IdentifyButton({ hubId }: { hubId: string }) {
  const [state, setState] = useState<{ busy: boolean; message: string | null }>({ busy: false, message: null });
  const identify = async (): Promise<void> => {
    setState({ busy: true, message: null });
    try {
      const r = await api.identify(hubId);
      const message = !r.answered
        ? r.reason === 'timeout'
          ? 'The hub did not answer within 10 s.'
          : 'The hub is not connected.'
        : r.ok
          ? 'The hub is showing itself for 30 s (light and beep).'
          : `The hub refused: ${r.error ?? 'no reason given'}`;
      setState({ busy: false, message });
    } catch (err) {
      setState({ busy: false, message: err instanceof ApiError ? err.message : String(err) });
    }
  };
  return (
    <p class="identify">
      <button type="button" onClick={() => void identify()} disabled={state.busy}>
        {state.busy ? 'Asking the hub…' : 'Identify this hub'}
      </button>{' '}
      {state.message && <span role="status">{state.message}</span>}
    </p>
  );
}

