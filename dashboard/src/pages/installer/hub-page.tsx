import { useCallback, useState } from 'preact/hooks';
import { ApiError, api, type Rejection } from '../../api.ts';
import { ago, clockTime } from '../../format.ts';
import { useNow } from '../../use-now.ts';
import { installerApi, type SensorRowData, type UnmappedDevice } from './api.ts';
import { HubStatus, PhaseBadge } from './hub-status.tsx';
import { RejectionCounts } from './hubs-page.tsx';
import { KIND_NAMES, ROLE_LABELS, kindEvidence, kindMeaning, roleLabel } from './labels.ts';
import { reasonInWords } from './reasons.ts';
import { usePolled } from './use-polled.ts';
import './installer.css';

/** A battery at or below this is shown as low (the server's LOW_BATTERY_PERCENT). */
const LOW_BATTERY = 20;

/** One sensor's row: what it is, and a form to place it (kind, room, role, presence or touch). */
function SensorRow({ hubId, s, canEdit, now, onSaved }: { hubId: string; s: SensorRowData; canEdit: boolean; now: number; onSaved: () => void }) {
  const [type, setType] = useState(s.type);
  const [room, setRoom] = useState(s.room ?? '');
  const [role, setRole] = useState(s.role ?? '');
  const [evidence, setEvidence] = useState<'' | 'presence' | 'touch'>(s.evidence ?? '');
  const [msg, setMsg] = useState<string | null>(null);
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setMsg(null);
    try {
      await installerApi.place(hubId, s.sensorId, { type, room: room.trim(), role: role || null, evidence: evidence || null });
      setMsg('Saved; sent to the hub.');
      onSaved();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  };
  const own = kindEvidence(type);
  const id = s.sensorId;
  return (
    <tr class={s.commissioned ? '' : 'uncommissioned'} data-sensor-id={id}>
      <td>
        <code>{id}</code>
        <div>{s.commissioned ? <span class="tag ok">Commissioned</span> : <strong class="tag warn">Not commissioned</strong>}</div>
        {s.reachable && !s.reachable.online && (
          <div>
            <strong class="tag warn" title={`Reported by the hub (${s.reachable.source})`}>
              Unreachable
            </strong>{' '}
            <span class="muted small">since {ago(s.reachable.at, now)}</span>
          </div>
        )}
      </td>
      <td>
        {canEdit ? (
          <form class="place-form" onSubmit={(e) => void save(e)} aria-label={`Place ${id}`}>
            <label>
              Kind
              <select aria-label={`Kind of ${id}`} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
                {KIND_NAMES.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Room
              <input aria-label={`Room of ${id}`} value={room} required maxLength={64} onInput={(e) => setRoom((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              Role
              <select aria-label={`Role of ${id}`} value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
                <option value="">none</option>
                {Object.entries(ROLE_LABELS).map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Presence or touch
              <select aria-label={`Presence or touch for ${id}`} value={evidence} onChange={(e) => setEvidence((e.target as HTMLSelectElement).value as '' | 'presence' | 'touch')}>
                <option value="">{own ? `as its kind (${own})` : 'as its kind'}</option>
                <option value="presence">presence: someone is in the room</option>
                <option value="touch">touch: someone used something</option>
              </select>
            </label>
            <button type="submit">Save {id}</button>
            {msg && <span role="status">{msg}</span>}
          </form>
        ) : (
          <>
            {s.type} · {s.room ?? '–'}
            {s.role ? ` / ${roleLabel(s.role)}` : ''}
          </>
        )}
        <div class="muted small">{kindMeaning(type)}</div>
      </td>
      <td>{ago(s.lastSeenAt, now)}</td>
      <td>{s.battery === null ? '–' : <span class={s.battery <= LOW_BATTERY ? 'tag warn' : ''}>{s.battery}%</span>}</td>
    </tr>
  );
}

/** A device the gateway cannot map: its raw payload, and a one-rule mapping the server sends back to the gateway. */
function UnmappedRow({ hubId, d, canEdit, onMapped }: { hubId: string; d: UnmappedDevice; canEdit: boolean; onMapped: () => void }) {
  const keys = (() => {
    try {
      const p = JSON.parse(d.payload) as unknown;
      return p && typeof p === 'object' ? Object.keys(p as object) : [];
    } catch {
      return [];
    }
  })();
  const [property, setProperty] = useState(keys[0] ?? '');
  const [type, setType] = useState('call');
  const [raw, setRaw] = useState('');
  const [value, setValue] = useState('');
  const [sensor, setSensor] = useState(d.device.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'sensor');
  const [msg, setMsg] = useState<string | null>(null);
  const map = async (e: Event): Promise<void> => {
    e.preventDefault();
    let v: unknown = value;
    try {
      v = JSON.parse(value);
    } catch {
      /* a plain word: kept as text */
    }
    try {
      await installerApi.map(hubId, { device: d.device, sensor, fields: [{ property, type, ...(raw ? { values: { [raw]: v } } : {}), emit: 'always' }] });
      onMapped();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <li class="unmapped" data-device={d.device}>
      <p>
        <strong>{d.device}</strong> ({d.adapter}) — {d.reason}; heard {d.count} time{d.count === 1 ? '' : 's'}, last {clockTime(d.lastSeenAt, Date.now())}
      </p>
      <pre class="payload">{d.payload}</pre>
      {canEdit && (
        <form class="inline-form" onSubmit={(e) => void map(e)} aria-label={`Map ${d.device}`}>
          <label>
            Property
            <input value={property} required onInput={(e) => setProperty((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            When it is <span class="muted small">(raw value; empty: any)</span>
            <input value={raw} onInput={(e) => setRaw((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Event kind
            <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              {KIND_NAMES.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            Event value
            <input value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} placeholder="pressed" />
          </label>
          <label>
            Sensor id
            <input value={sensor} required onInput={(e) => setSensor((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Map {d.device}</button>
          {msg && <span role="alert">{msg}</span>}
        </form>
      )}
    </li>
  );
}

/** One hub: whose home, its one status, its sensors to place, devices it cannot map, and the messages set aside. */
export function HubPage({ hubId, canEdit }: { hubId: string; canEdit: boolean }) {
  const now = useNow(1000);
  const load = useCallback(async () => {
    const [s, r, h, c, u] = await Promise.all([installerApi.sensors(hubId), api.rejections(hubId), installerApi.hubs(), installerApi.commissioning(hubId), installerApi.unmapped(hubId)]);
    return { sensors: s.sensors, ...r, hub: h.hubs.find((x) => x.id === hubId), commissioning: c, unmapped: u.devices };
  }, [hubId]);
  const { data, error, reload } = usePolled(load, 5000);
  const uncommissioned = data?.sensors.filter((s) => !s.commissioned).length ?? 0;
  const residents = data?.commissioning.residents ?? [];

  return (
    <main>
      <p>
        <a href="#/hubs">← All hubs</a>
      </p>
      <h1>
        Hub {hubId}
        {residents.length > 0 && <span class="h1-sub"> — home of {residents.map((r) => r.name).join(' and ')}</span>}
      </h1>
      {data?.hub && (
        <p class="hub-summary">
          <HubStatus state={data.hub.state} summary={data.hub.stateSummary} /> <PhaseBadge phase={data.hub.phase} /> {data.hub.stateSummary} Last heard{' '}
          {ago(data.hub.lastSeenAt, now)} · firmware {data.hub.firmware ?? 'unknown'} · power {data.hub.power ?? 'unknown'}
          {data.hub.name !== hubId && ` · ${data.hub.name}`}
        </p>
      )}
      {data?.hub?.connected && canEdit && <IdentifyButton hubId={hubId} />}
      {canEdit && (
        <p>
          <a href={`#/hubs/${encodeURIComponent(hubId)}/commission`}>Walk test and go-live checklist →</a>
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
              {uncommissioned} sensor{uncommissioned > 1 ? 's have' : ' has'} been seen but not placed. Until placed, {uncommissioned > 1 ? 'their' : 'its'} alarms
              still reach the operators, marked as from a sensor not yet placed; without a room and role the routine checks cannot tell where the resident
              is, and {uncommissioned > 1 ? 'they are' : 'it is'} not watched for silence. {canEdit ? 'Set the kind, room and role below.' : 'An installer places it.'}
            </p>
          )}
          {data.sensors.length === 0 ? (
            <p class="empty">No sensors yet: they appear here as the hub hears them.</p>
          ) : (
            <table class="plain sensors">
              <thead>
                <tr>
                  <th scope="col">Sensor</th>
                  <th scope="col">Kind, room and role</th>
                  <th scope="col">Last heard</th>
                  <th scope="col">Battery</th>
                </tr>
              </thead>
              <tbody>
                {data.sensors.map((s) => (
                  <SensorRow key={`${s.sensorId}:${s.type}:${s.room}:${s.role}:${s.evidence}`} hubId={hubId} s={s} canEdit={canEdit} now={now} onSaved={reload} />
                ))}
              </tbody>
            </table>
          )}
          <h2>Devices the hub cannot map</h2>
          {data.unmapped.length === 0 ? (
            <p class="empty">None: the hub maps everything it hears.</p>
          ) : (
            <ul class="plain-list">
              {data.unmapped.map((d) => (
                <UnmappedRow key={d.device} hubId={hubId} d={d} canEdit={canEdit} onMapped={reload} />
              ))}
            </ul>
          )}
          <h2>Rejected messages</h2>
          <RejectionCounts counts={data.counts} />
          {data.rejections.length === 0 ? (
            <p class="empty">Nothing has been rejected.</p>
          ) : (
            <table class="plain rejections">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Why</th>
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
                      {reasonInWords(r.reason)}
                      <div class="muted small">
                        {r.detail} (<code>{r.reason}</code>)
                      </div>
                    </td>
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

/** "Which box is this?": what the hub does is up to its hardware; the Hearth gateway prints a line, and the text says so. */
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
          ? 'The hub answered and is identifying itself for 30 s. The Hearth gateway has no light or buzzer: it prints "IDENTIFY" with its hub id in its terminal and log.'
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
