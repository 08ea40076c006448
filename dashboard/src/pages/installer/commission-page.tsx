import { useCallback, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { clockTime } from '../../format.ts';
import { useNow } from '../../use-now.ts';
import { installerApi } from './api.ts';
import { PhaseBadge } from './hub-status.tsx';
import { roleLabel } from './labels.ts';
import { usePolled } from './use-polled.ts';
import './installer.css';

/** The walk test refreshes every second: each event appears as the installer triggers it. */
const WALK_POLL_MS = 1000;

/**
 * Commissioning a home: the live walk test (each sensor ticked off when the
 * server hears it), the go-live checklist, and putting the home live.
 */
export function CommissionPage({ hubId }: { hubId: string }) {
  const now = useNow(1000);
  const load = useCallback(async () => {
    const [walk, c] = await Promise.all([installerApi.walkTest(hubId), installerApi.commissioning(hubId)]);
    return { walk, c };
  }, [hubId]);
  const { data, error, reload } = usePolled(load, WALK_POLL_MS);
  const [msg, setMsg] = useState<{ text: string; error: boolean } | null>(null);

  const start = async (): Promise<void> => {
    setMsg(null);
    try {
      await installerApi.startWalkTest(hubId);
      reload();
    } catch (err) {
      setMsg({ text: err instanceof ApiError ? err.message : String(err), error: true });
    }
  };
  const goLive = async (): Promise<void> => {
    setMsg(null);
    try {
      await installerApi.goLive(hubId);
      setMsg({ text: 'The home is live: its alarms are no longer marked as from a home being commissioned.', error: false });
      reload();
    } catch (err) {
      setMsg({ text: err instanceof ApiError ? err.message : String(err), error: true });
    }
  };

  const placed = data?.walk.sensors.filter((s) => s.commissioned) ?? [];
  const tested = placed.filter((s) => s.testedAt !== null).length;
  const residents = data?.c.residents ?? [];
  const allDone = data?.c.checklist.every((i) => i.done) ?? false;

  return (
    <main>
      <p>
        <a href={`#/hubs/${encodeURIComponent(hubId)}`}>← Hub {hubId}</a>
      </p>
      <h1>
        Commissioning hub {hubId}
        {residents.length > 0 && <span class="h1-sub"> — home of {residents.map((r) => r.name).join(' and ')}</span>}
      </h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="muted">Loading…</p>}
      {data && (
        <>
          <p>
            <PhaseBadge phase={data.c.state.phase} />{' '}
            {data.c.state.phase === 'live'
              ? `Monitoring live since ${clockTime(data.c.state.liveAt!, now)}.`
              : 'Until the home is put live, its alarms still reach the operators, marked as coming from a home being commissioned.'}{' '}
            {data.walk.gatewayInSync ? (
              <span class="tag ok">Hub has the commissioning</span>
            ) : (
              <span class="tag warn" title="The server sends it when the hub connects and after every change">Hub has not confirmed the commissioning yet</span>
            )}
          </p>

          <section aria-labelledby="walk-heading">
            <h2 id="walk-heading">Walk test</h2>
            <p>
              <button type="button" onClick={() => void start()}>
                {data.walk.startedAt ? 'Restart the walk test' : 'Start the walk test'}
              </button>{' '}
              {data.walk.startedAt ? (
                <span role="status" aria-live="polite">
                  Started {clockTime(data.walk.startedAt, now)}: {tested} of {placed.length} placed sensors heard.
                </span>
              ) : (
                <span class="muted">Start it, then walk through the home triggering each sensor; each is ticked off as the server hears it.</span>
              )}
            </p>
            {data.walk.sensors.length > 0 && (
              <ul class="walk-list">
                {data.walk.sensors.map((s) => (
                  <li key={s.sensorId} data-sensor-id={s.sensorId} class={s.testedAt ? 'tested' : 'untested'}>
                    <span aria-hidden="true" class="tick">
                      {s.testedAt ? '✔' : '○'}
                    </span>{' '}
                    <code>{s.sensorId}</code> {s.type} {s.commissioned ? `· ${s.room ?? ''}${s.role ? ` / ${roleLabel(s.role)}` : ''}` : <strong class="tag warn">not placed</strong>}{' '}
                    <span class="walk-state">{s.testedAt ? `heard ${clockTime(s.testedAt, now)}` : data.walk.startedAt ? 'not heard yet' : ''}</span>
                  </li>
                ))}
              </ul>
            )}
            {data.walk.startedAt && (
              <>
                <h3>Events as they arrive</h3>
                {data.walk.events.length === 0 ? (
                  <p class="empty">Nothing heard since the walk test began.</p>
                ) : (
                  <ol class="walk-events" aria-label="Events since the walk test began, newest first">
                    {data.walk.events.map((e) => (
                      <li key={e.id}>
                        <time dateTime={e.receivedAt}>{clockTime(e.receivedAt, now)}</time> <code>{e.sensor}</code> {e.type} {JSON.stringify(e.value)}
                      </li>
                    ))}
                  </ol>
                )}
              </>
            )}
          </section>

          <section aria-labelledby="checklist-heading">
            <h2 id="checklist-heading">Go-live checklist</h2>
            <ul class="checklist">
              {data.c.checklist.map((i) => (
                <li key={i.id} data-item={i.id} class={i.done ? 'done' : 'todo'}>
                  <span class="tick" aria-hidden="true">
                    {i.done ? '✔' : '✗'}
                  </span>{' '}
                  <strong>{i.label}</strong> <span class="visually-hidden">{i.done ? '(done)' : '(not done)'}</span>
                  <div class="muted small">{i.detail}</div>
                </li>
              ))}
            </ul>
            {data.c.state.phase === 'commissioning' && (
              <p>
                <button type="button" class="primary" onClick={() => void goLive()} aria-describedby="go-live-note">
                  Put the home live
                </button>{' '}
                <span id="go-live-note" class="muted small">
                  {allDone ? 'Every item is done.' : 'The server refuses until every item is done, and says what is missing.'}
                </span>
              </p>
            )}
            {msg && (
              <p class={msg.error ? 'error' : 'ok-message'} role={msg.error ? 'alert' : 'status'}>
                {msg.text}
              </p>
            )}
          </section>
        </>
      )}
    </main>
  );
}
