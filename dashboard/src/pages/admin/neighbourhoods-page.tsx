import { useCallback, useState } from 'preact/hooks';
import { ALERT_TYPES, SEVERITIES } from '../../../../server/src/care/model.ts';
import { PERIODS, ROUTE_TARGETS } from '../../../../server/src/routing/table.ts';
import { adminApi, type NeighbourhoodInfo, type RoutingRule } from './api.ts';
import { OutcomeLine } from './outcome-line.tsx';
import { attempt, useLoad, type Outcome } from './use-load.ts';
import { AdminNav } from './admin-nav.tsx';
import './admin.css';

/** A 24-hour time, HH:MM (the server checks it too). */
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const PERIOD_WORDS: Record<string, string> = { 'in-hours': "in the team's hours", 'out-of-hours': 'out of hours', any: 'at any time' };

/** Neighbourhoods: the urgent team's hours (validated), the out-of-hours route, and routing rules. */
export function NeighbourhoodsPage() {
  const load = useCallback(() => adminApi.neighbourhoods().then((r) => r.neighbourhoods), []);
  const { data, error, reload } = useLoad(load);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [name, setName] = useState('');
  return (
    <main class="admin">
      <AdminNav current="neighbourhoods" />
      <h1>Neighbourhoods and urgent team hours</h1>
      <OutcomeLine outcome={outcome} />
      {error && <p class="error" role="alert">{error}</p>}
      <form
        class="inline card"
        onSubmit={(e) => {
          e.preventDefault();
          void attempt(() => adminApi.addNeighbourhood({ name }), `Neighbourhood ${name} added with the organisation's default hours.`).then((o) => {
            setOutcome(o);
            if (o.ok) { setName(''); reload(); }
          });
        }}
      >
        <div class="field"><label for="nb-new">New neighbourhood</label><input id="nb-new" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></div>
        <button type="submit">Add neighbourhood</button>
      </form>
      {data?.map((nb) => <Neighbourhood key={nb.id} nb={nb} onSaved={reload} />)}
    </main>
  );
}

function Neighbourhood({ nb, onSaved }: { nb: NeighbourhoodInfo; onSaved: () => void }) {
  const [hours, setHours] = useState({ urgentStart: nb.urgentStart, urgentEnd: nb.urgentEnd, outOfHoursRoute: nb.outOfHoursRoute });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const idp = `nb-${nb.id}`;
  const save = async (e: Event) => {
    e.preventDefault();
    const bad = (['urgentStart', 'urgentEnd'] as const).filter((k) => !HHMM.test(hours[k]));
    if (bad.length) {
      setOutcome({ ok: false, text: `Not saved: ${bad.map((k) => `"${hours[k]}"`).join(' and ')} is not a 24-hour time. Use HH:MM, for example 08:00 or 20:00.` });
      return;
    }
    const o = await attempt(() => adminApi.updateNeighbourhood(nb.id, hours), `${nb.name}: urgent team ${hours.urgentStart} to ${hours.urgentEnd} (${nb.timezone}) saved.`);
    setOutcome(o);
    if (o.ok) onSaved();
  };
  return (
    <section class="card" aria-labelledby={`${idp}-h`} data-neighbourhood={nb.name}>
      <h2 id={`${idp}-h`}>{nb.name}</h2>
      <form class="inline" onSubmit={(e) => void save(e)} noValidate>
        <div class="field">
          <label for={`${idp}-start`}>Urgent team starts</label>
          <input id={`${idp}-start`} inputMode="numeric" placeholder="HH:MM" aria-describedby={`${idp}-hint`} value={hours.urgentStart} onInput={(e) => setHours({ ...hours, urgentStart: (e.target as HTMLInputElement).value.trim() })} />
        </div>
        <div class="field">
          <label for={`${idp}-end`}>Urgent team ends</label>
          <input id={`${idp}-end`} inputMode="numeric" placeholder="HH:MM" aria-describedby={`${idp}-hint`} value={hours.urgentEnd} onInput={(e) => setHours({ ...hours, urgentEnd: (e.target as HTMLInputElement).value.trim() })} />
        </div>
        <div class="field">
          <label for={`${idp}-ooh`}>Out-of-hours route</label>
          <input id={`${idp}-ooh`} value={hours.outOfHoursRoute} onInput={(e) => setHours({ ...hours, outOfHoursRoute: (e.target as HTMLInputElement).value })} />
        </div>
        <button type="submit">Save hours</button>
        <p id={`${idp}-hint`} class="hint muted small">24-hour local time ({nb.timezone}), HH:MM.</p>
      </form>
      <OutcomeLine outcome={outcome} testId={`hours-outcome-${nb.name}`} />
      <Routing nb={nb} />
    </section>
  );
}

function Routing({ nb }: { nb: NeighbourhoodInfo }) {
  const load = useCallback(() => adminApi.routing(nb.id), [nb.id]);
  const { data, error, reload } = useLoad(load);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [draft, setDraft] = useState<{ type: string; severity: string; period: string; targets: string[] }>({ type: '', severity: '', period: 'any', targets: [] });
  const idp = `rt-${nb.id}`;
  const saveRules = async (rules: RoutingRule[], done: string) => {
    const o = await attempt(() => adminApi.setRouting(nb.id, rules), done);
    setOutcome(o);
    if (o.ok) reload();
  };
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return null;
  const ruleText = (r: RoutingRule) => `${r.type ?? (r.severity ? `${r.severity} alerts` : 'every alert')} ${PERIOD_WORDS[r.period]}: ${r.targets.join(', ') || 'nobody beyond the console'}`;
  return (
    <>
      <h3>Routing</h3>
      <details>
        <summary>Where each alert type goes now ({data.now.period === 'in-hours' ? "in the team's hours" : 'out of hours'})</summary>
        <table class="plain">
          <thead><tr><th scope="col">Alert type</th><th scope="col">Goes to</th></tr></thead>
          <tbody>{Object.entries(data.now.targets).map(([t, to]) => <tr key={t}><td>{t}</td><td>{to.join(', ')}</td></tr>)}</tbody>
        </table>
      </details>
      <p>{data.rules.length ? `${nb.name}'s own rules (over the defaults):` : `${nb.name} uses the default routing.`}</p>
      <ul>
        {data.rules.map((r, i) => (
          <li key={i}>
            {ruleText(r)}{' '}
            <button type="button" class="link" onClick={() => void saveRules(data.rules.filter((_, j) => j !== i), 'Rule removed.')}>Remove rule: {ruleText(r)}</button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const rule = { ...(draft.type ? { type: draft.type } : {}), ...(draft.severity ? { severity: draft.severity } : {}), period: draft.period, targets: draft.targets } as RoutingRule;
          void saveRules([...data.rules, rule], `Rule added: ${ruleText(rule)}.`);
        }}
      >
        <div class="field">
          <label for={`${idp}-type`}>Alert type</label>
          <select id={`${idp}-type`} value={draft.type} onChange={(e) => setDraft({ ...draft, type: (e.target as HTMLSelectElement).value })}>
            <option value="">Any type</option>
            {Object.keys(ALERT_TYPES).map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <div class="field">
          <label for={`${idp}-sev`}>Severity</label>
          <select id={`${idp}-sev`} value={draft.severity} onChange={(e) => setDraft({ ...draft, severity: (e.target as HTMLSelectElement).value })}>
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div class="field">
          <label for={`${idp}-period`}>When</label>
          <select id={`${idp}-period`} value={draft.period} onChange={(e) => setDraft({ ...draft, period: (e.target as HTMLSelectElement).value })}>
            {PERIODS.map((p) => <option key={p} value={p}>{PERIOD_WORDS[p]}</option>)}
          </select>
        </div>
        <fieldset>
          <legend>Send to</legend>
          {ROUTE_TARGETS.map((t) => (
            <label key={t}>
              <input type="checkbox" checked={draft.targets.includes(t)} onChange={(e) => setDraft({ ...draft, targets: (e.target as HTMLInputElement).checked ? [...draft.targets, t] : draft.targets.filter((x) => x !== t) })} /> {t}
            </label>
          ))}
        </fieldset>
        <button type="submit">Add rule</button>
      </form>
      <OutcomeLine outcome={outcome} />
    </>
  );
}
