import { useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { coordinatorApi, when, type PlanSettingRow, type ResidentPage } from './api.ts';

const UNIT: Record<PlanSettingRow['unit'], string> = { minutes: 'min', seconds: 's', clock: '', celsius: '°C', ratio: '(0 to 1)', count: '' };

function bounds(s: PlanSettingRow): string {
  if (s.unit === 'clock') return 'any time, HH:MM';
  return `${s.min} to ${s.max}${UNIT[s.unit] ? ` ${UNIT[s.unit]}` : ''}`;
}

function shown(v: unknown, unit?: PlanSettingRow['unit']): string {
  if (v === null || v === undefined) return 'default';
  return `${String(v)}${unit && UNIT[unit] && unit !== 'ratio' ? ` ${UNIT[unit]}` : ''}`;
}

/** One setting's row: value (editable within bounds), default, learned value beside. */
function SettingRow({ s, residentId, canEdit, onSaved }: { s: PlanSettingRow; residentId: string; canEdit: boolean; onSaved: () => void }) {
  const [value, setValue] = useState(String(s.value));
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const id = `plan-${s.key}`;
  const save = async (v: number | string | null) => {
    try {
      await coordinatorApi.setPlan(residentId, { [s.key]: v });
      setMsg({ ok: true, text: 'Saved.' });
      onSaved();
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError ? err.message : 'Not saved; try again.' });
    }
  };
  return (
    <tr data-setting={s.key}>
      <th scope="row">
        <label for={id}>{s.label}</label>
        {s.help ? <div class="muted small">{s.help}</div> : null}
      </th>
      <td>
        {canEdit ? (
          <form
            class="plan-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save(s.unit === 'clock' ? value : Number(value));
            }}
          >
            {s.unit === 'clock' ? (
              <input id={id} type="time" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-describedby={`${id}-b`} />
            ) : (
              <input id={id} type="number" inputMode="decimal" step={s.integer ? 1 : 'any'} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-describedby={`${id}-b`} />
            )}{' '}
            <span>{UNIT[s.unit]}</span> <button type="submit">Save</button>
            {s.overridden ? (
              <button type="button" class="link-button" onClick={() => void save(null)}>
                Use default
              </button>
            ) : null}
          </form>
        ) : (
          <span id={id}>{shown(s.value, s.unit)}</span>
        )}
        <div id={`${id}-b`} class="muted small">
          Allowed: {bounds(s)}. Default {shown(s.default, s.unit)}
          {s.overridden ? '' : ' (in use)'}.
        </div>
        {msg ? (
          <div role="status" class={msg.ok ? 'ok small' : 'error small'} data-testid={`plan-msg-${s.key}`}>
            {msg.text}
          </div>
        ) : null}
      </td>
      <td data-testid={`learned-${s.key}`}>{s.learned ? <><strong>{shown(s.learned.value, s.unit)}</strong> <div class="muted small">{s.learned.note}</div></> : <span class="muted">—</span>}</td>
    </tr>
  );
}

/** The monitoring plan: every setting the care model allows, within its bounds, with learned values and who changed what. */
export function PlanEditor({ page, onChanged }: { page: ResidentPage; onChanged: () => void }) {
  const tz = page.resident.timezone;
  return (
    <section aria-labelledby="plan-h" class="coord-section" id="plan">
      <h2 id="plan-h">Monitoring plan</h2>
      {!page.canEdit ? <p class="muted">Only {page.resident.coordinatorName ?? 'the resident’s coordinator'} or an admin can change the plan.</p> : null}
      <div class="table-scroll">
        <table class="plan-table">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Plan</th>
              <th scope="col">Learned from their own days</th>
            </tr>
          </thead>
          <tbody>
            {page.plan.map((s) => (
              <SettingRow key={`${s.key}-${String(s.value)}`} s={s} residentId={page.resident.id} canEdit={page.canEdit} onSaved={onChanged} />
            ))}
          </tbody>
        </table>
      </div>
      <h3>Who changed what</h3>
      {page.planHistory.length === 0 ? (
        <p class="muted">No changes yet: every setting is the care model's default or as set up.</p>
      ) : (
        <ul class="plan-history" data-testid="plan-history">
          {page.planHistory.map((c, i) => (
            <li key={i}>
              {when(c.at, tz)}: <strong>{c.userName ?? c.userId}</strong> changed {page.plan.find((s) => s.key === c.setting)?.label ?? c.setting} from {shown(c.from)} to {shown(c.to)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
