import { Fragment } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { adminApi, type ChannelKind, type ChannelView, type Delivery, type OwnerType } from './api.ts';
import { OutcomeLine } from './outcome-line.tsx';
import { attempt, errorText, useLoad, type Outcome } from './use-load.ts';
import { AdminNav } from './admin-nav.tsx';
import './admin.css';

/** The settings each kind of channel asks for, as data: field name, label, input type, and how to read it. */
const KIND_FIELDS: Record<ChannelKind, { name: string; label: string; type: 'url' | 'password' | 'text' | 'number' | 'email' | 'tel'; read?: (v: string) => unknown }[]> = {
  webhook: [
    { name: 'url', label: 'Webhook URL', type: 'url' },
    { name: 'secret', label: 'Signing secret (16 characters or more)', type: 'password' },
  ],
  email: [
    { name: 'host', label: 'SMTP server', type: 'text' },
    { name: 'port', label: 'SMTP port', type: 'number', read: Number },
    { name: 'from', label: 'From address', type: 'email' },
    { name: 'to', label: 'To addresses (comma-separated)', type: 'text', read: (v) => v.split(',').map((s) => s.trim()).filter(Boolean) },
  ],
  sms: [
    { name: 'providerUrl', label: 'SMS provider URL', type: 'url' },
    { name: 'token', label: 'Provider token', type: 'password' },
    { name: 'to', label: 'Phone number', type: 'tel' },
  ],
};
const OWNER_WORDS: Record<OwnerType, string> = { team: "A neighbourhood's urgent team", route: 'A named route (e.g. out-of-hours)', user: 'A user', resident: 'A resident' };

/** Outbound channels: add, disable or enable, "Send a test", and each channel's delivery history. */
export function ChannelsPage() {
  const load = useCallback(async () => {
    const [c, n] = await Promise.all([adminApi.channels(), adminApi.neighbourhoods()]);
    return { channels: c.channels, neighbourhoods: n.neighbourhoods };
  }, []);
  const { data, error, reload } = useLoad(load);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const owner = (c: ChannelView) => (c.ownerType === 'team' ? `${data?.neighbourhoods.find((n) => n.id === c.ownerId)?.name ?? c.ownerId} urgent team` : `${c.ownerType} ${c.ownerId}`);
  const test = async (c: ChannelView) => {
    try {
      const { delivery } = await adminApi.testChannel(c.id);
      setOutcome(delivery.status === 'delivered' ? { ok: true, text: `Test sent to ${c.name}: delivered (${delivery.response ?? 'no answer text'}).` } : { ok: false, text: `Test to ${c.name} failed: ${delivery.error ?? delivery.response ?? 'no answer'}.` });
      setOpen(c.id);
    } catch (err) {
      setOutcome({ ok: false, text: errorText(err) });
    }
  };
  return (
    <main class="admin">
      <AdminNav current="channels" />
      <h1>Outbound channels</h1>
      <OutcomeLine outcome={outcome} testId="channels-outcome" />
      {error && <p class="error" role="alert">{error}</p>}
      {data && (
        <table class="plain">
          <caption>{data.channels.length ? 'Where Hearth sends alerts besides the console' : 'No channels yet: alerts reach the console only.'}</caption>
          <thead><tr><th scope="col">Channel</th><th scope="col">For</th><th scope="col">Sends to</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {data.channels.map((c) => (
              <Fragment key={c.id}>
                <tr data-channel={c.name}>
                  <td><strong>{c.name}</strong><div class="muted small">{c.kind}</div></td>
                  <td>{owner(c)}</td>
                  <td><code class="secretless">{c.target}</code></td>
                  <td>{c.enabled ? <span class="tag active">Enabled</span> : <span class="tag disabled">Disabled</span>}</td>
                  <td>
                    <div class="row-actions">
                      <button type="button" disabled={!c.enabled} onClick={() => void test(c)}>Send a test to {c.name}</button>
                      <button type="button" onClick={() => void attempt(() => adminApi.setChannelEnabled(c.id, !c.enabled), `${c.name} ${c.enabled ? 'disabled' : 'enabled'}.`).then((o) => { setOutcome(o); reload(); })}>
                        {c.enabled ? 'Disable' : 'Enable'} {c.name}
                      </button>
                      <button type="button" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>Delivery history</button>
                    </div>
                  </td>
                </tr>
                {open === c.id && (
                  <tr><td colSpan={5}><Deliveries channel={c} /></td></tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {data && <AddChannel neighbourhoods={data.neighbourhoods} onDone={(o) => { setOutcome(o); if (o.ok) reload(); }} />}
    </main>
  );
}

function Deliveries({ channel }: { channel: ChannelView }) {
  const load = useCallback(() => adminApi.deliveries(channel.id).then((r) => r.deliveries), [channel.id]);
  const { data, error } = useLoad(load);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  if (!data.length) return <p class="muted">Nothing sent through {channel.name} yet.</p>;
  const what = (d: Delivery) => (d.kind === 'test' ? 'Test' : `Alert ${d.alertId?.slice(0, 8)} ${d.change}, attempt ${d.attempt}`);
  return (
    <table class="plain" data-testid={`deliveries-${channel.name}`}>
      <caption>Delivery history of {channel.name}, newest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Result</th><th scope="col">Answer</th></tr></thead>
      <tbody>
        {data.map((d, i) => (
          <tr key={i}>
            <td>{new Date(d.at).toLocaleString()}</td>
            <td>{what(d)}</td>
            <td><span class={`tag ${d.status === 'delivered' ? 'ok' : 'warn'}`}>{d.status}</span></td>
            <td>{d.error ?? d.response ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddChannel({ neighbourhoods, onDone }: { neighbourhoods: { id: string; name: string }[]; onDone: (o: Outcome) => void }) {
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const [ownerType, setOwnerType] = useState<OwnerType>('team');
  const [ownerId, setOwnerId] = useState(neighbourhoods[0]?.id ?? '');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const config: Record<string, unknown> = {};
    for (const f of KIND_FIELDS[kind]) if (values[f.name]) config[f.name] = f.read ? f.read(values[f.name]!) : values[f.name];
    const o = await attempt(() => adminApi.addChannel({ ownerType, ownerId, kind, ...(name ? { name } : {}), config }), `Channel ${name || kind} added. Send it a test to check it works.`);
    onDone(o);
    if (o.ok) { setValues({}); setName(''); }
  };
  return (
    <section class="card" aria-labelledby="add-channel">
      <h2 id="add-channel">Add a channel</h2>
      <form class="inline" onSubmit={(e) => void submit(e)}>
        <div class="field"><label for="ch-name">Name</label><input id="ch-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></div>
        <div class="field">
          <label for="ch-kind">Kind</label>
          <select id="ch-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as ChannelKind)}>
            <option value="webhook">Webhook</option><option value="email">E-mail</option><option value="sms">SMS</option>
          </select>
        </div>
        <div class="field">
          <label for="ch-owner-type">For</label>
          <select id="ch-owner-type" value={ownerType} onChange={(e) => { const t = (e.target as HTMLSelectElement).value as OwnerType; setOwnerType(t); setOwnerId(t === 'team' ? neighbourhoods[0]?.id ?? '' : ''); }}>
            {(Object.keys(OWNER_WORDS) as OwnerType[]).map((t) => <option key={t} value={t}>{OWNER_WORDS[t]}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="ch-owner">{ownerType === 'team' ? 'Neighbourhood' : ownerType === 'route' ? 'Route name' : `${ownerType} id`}</label>
          {ownerType === 'team' ? (
            <select id="ch-owner" value={ownerId} onChange={(e) => setOwnerId((e.target as HTMLSelectElement).value)}>{neighbourhoods.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}</select>
          ) : (
            <input id="ch-owner" required value={ownerId} onInput={(e) => setOwnerId((e.target as HTMLInputElement).value)} />
          )}
        </div>
        {KIND_FIELDS[kind].map((f) => (
          <div class="field" key={`${kind}-${f.name}`}>
            <label for={`ch-${f.name}`}>{f.label}</label>
            <input id={`ch-${f.name}`} type={f.type as 'text'} autoComplete="off" value={values[f.name] ?? ''} onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })} />
          </div>
        ))}
        <button type="submit" class="primary">Add channel</button>
      </form>
    </section>
  );
}
