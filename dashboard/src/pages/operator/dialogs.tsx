import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type AlertView } from '../../api.ts';
import { typeLabel } from '../../alert-list.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { forWhom, work, type DispatchOptions, type RoutingOutcome } from './api.ts';
import { RoutingSummary } from './routing-summary.tsx';

/** Run an action, keeping its error for the dialog. */
function useAction(): { busy: boolean; error: string | null; run: <T>(fn: () => Promise<T>) => Promise<T | undefined> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    busy,
    error,
    async run(fn) {
      setBusy(true);
      setError(null);
      try {
        return await fn();
      } catch (err) {
        setError(err instanceof ApiError ? err.message : 'The action failed. Try again.');
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}

function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/**
 * Dispatch: the neighbourhood's team when it is on duty; when it is off duty
 * a warning and a choice (the out-of-hours route, or the team anyway); or one
 * responder. After dispatching it shows who was told, truthfully.
 */
export function DispatchDialog({ alert, onDone, onClose }: { alert: AlertView; onDone: (a: AlertView) => void; onClose: () => void }) {
  const [options, setOptions] = useState<DispatchOptions | null>(null);
  const [responder, setResponder] = useState('');
  const [told, setTold] = useState<RoutingOutcome | null | undefined>(undefined);
  const action = useAction();
  useEffect(() => {
    void action.run(async () => setOptions(await work.dispatchOptions(alert.id)));
  }, [alert.id]);

  const send = async (body: Parameters<typeof work.dispatch>[1]) => {
    const res = await action.run(() => work.dispatch(alert.id, body));
    if (!res) return;
    onDone(res.alert);
    const routing = await action.run(() => work.routing(alert.id));
    setTold(routing?.routing.filter((r) => r.change === 'dispatched').at(-1) ?? null);
  };

  const team = options?.team;
  return (
    <Dialog title={`Dispatch: ${forWhom(alert, typeLabel(alert.type))}`} onClose={onClose} testId="dispatch-dialog">
      {!options && !action.error && <p class="muted">Loading…</p>}
      {told !== undefined ? (
        <div class="dispatched-result" role="status">
          <p>
            <strong>Dispatched.</strong> The two-hour clock is running.
          </p>
          {told ? <RoutingSummary outcome={told} /> : <p>Nobody was told: no channel configured.</p>}
          <button type="button" class="primary" onClick={onClose}>
            Done
          </button>
        </div>
      ) : (
        options && (
          <>
            {team && team.onDuty && (
              <div class="choice">
                <p>
                  The <strong>{team.name}</strong> urgent response team is on duty ({team.hours}).
                </p>
                <button type="button" class="primary" disabled={action.busy} onClick={() => void send({ to: 'team' })}>
                  Dispatch the {team.name} team
                </button>
              </div>
            )}
            {team && !team.onDuty && (
              <div class="warning-box" role="alert">
                <p>
                  <strong>The {team.name} urgent response team is off duty</strong> (its hours are {team.hours}, {team.timezone}). On duty now:{' '}
                  <strong>{options.outOfHours}</strong>.
                </p>
                <div class="action-line wrap">
                  <button type="button" class="primary" disabled={action.busy} onClick={() => void send({ to: 'out-of-hours' })}>
                    Dispatch {options.outOfHours}
                  </button>
                  <button type="button" disabled={action.busy} onClick={() => void send({ to: 'team', confirmOffDuty: true })}>
                    Dispatch the off-duty team anyway
                  </button>
                </div>
              </div>
            )}
            {options.responders.length > 0 && (
              <form
                class="choice"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (responder) void send({ to: 'responder', responderId: responder });
                }}
              >
                <label for="dispatch-responder">Or send one responder</label>
                <div class="action-line wrap">
                  <select id="dispatch-responder" value={responder} onChange={(e) => setResponder(e.currentTarget.value)}>
                    <option value="">Choose…</option>
                    {options.responders.map((r) => (
                      <option value={r.id}>
                        {r.displayName}
                        {r.sameTeam ? ' (this team)' : ''}
                      </option>
                    ))}
                  </select>
                  <button type="submit" disabled={action.busy || !responder}>
                    Dispatch responder
                  </button>
                </div>
              </form>
            )}
          </>
        )
      )}
      <ErrorLine error={action.error} />
    </Dialog>
  );
}

/** Resolve: outcomes that fit the alert's type (welfare or technical), then a confirmation. */
export function ResolveDialog({ alert, onDone, onClose }: { alert: AlertView; onDone: (a: AlertView) => void; onClose: () => void }) {
  const [outcomes, setOutcomes] = useState<{ id: string; label: string }[]>([]);
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const action = useAction();
  useEffect(() => {
    void action.run(async () => setOutcomes((await work.script(alert.id)).outcomes));
  }, [alert.id]);
  // The confirmation takes focus, so the keyboard goes on where the eyes are.
  useEffect(() => {
    if (confirming) yes.current?.focus();
  }, [confirming]);
  const label = outcomes.find((o) => o.id === outcome)?.label ?? outcome;
  const what = forWhom(alert, typeLabel(alert.type));
  return (
    <Dialog title={`Resolve: ${what}`} onClose={onClose} testId="resolve-dialog">
      {!confirming ? (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (outcome) setConfirming(true);
          }}
        >
          <label for="resolve-outcome">Outcome</label>
          <select id="resolve-outcome" value={outcome} required onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {outcomes.map((o) => (
              <option value={o.id}>{o.label}</option>
            ))}
          </select>
          <label for="resolve-note">Note (optional)</label>
          <textarea id="resolve-note" rows={3} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <button type="submit" class="primary" disabled={!outcome}>
            Resolve…
          </button>
        </form>
      ) : (
        <div class="stack" role="group" aria-labelledby="confirm-resolve">
          <p id="confirm-resolve">
            Close the {what} as <strong>{label}</strong>? This ends the alert.
          </p>
          <div class="action-line wrap">
            <button
              type="button"
              class="primary"
              ref={yes}
              disabled={action.busy}
              onClick={() =>
                void action.run(async () => {
                  onDone((await work.resolve(alert.id, outcome as never, note.trim() || undefined)).alert);
                  onClose();
                })
              }
            >
              Yes, resolve
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Go back
            </button>
          </div>
        </div>
      )}
      <ErrorLine error={action.error} />
    </Dialog>
  );
}

/** Stand down (cancel) an alert, with a reason. */
export function StandDownDialog({ alert, onDone, onClose }: { alert: AlertView; onDone: (a: AlertView) => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const action = useAction();
  return (
    <Dialog title={`Stand down: ${forWhom(alert, typeLabel(alert.type))}`} onClose={onClose} testId="stand-down-dialog">
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            onDone((await work.standDown(alert.id, reason.trim())).alert);
            onClose();
          });
        }}
      >
        <label for="stand-down-reason">Reason (kept in the alert's log)</label>
        <textarea id="stand-down-reason" rows={3} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={action.busy || reason.trim().length === 0}>
          Stand down
        </button>
      </form>
      <ErrorLine error={action.error} />
    </Dialog>
  );
}

/** On site recorded by an operator on a responder's behalf: a reason is required (the report keeps these apart). */
export function OnSiteDialog({ alert, onDone, onClose }: { alert: AlertView; onDone: (a: AlertView) => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const action = useAction();
  return (
    <Dialog title={`On site for the responder: ${forWhom(alert, typeLabel(alert.type))}`} onClose={onClose} testId="on-site-dialog">
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            onDone((await work.onSite(alert.id, reason.trim())).alert);
            onClose();
          });
        }}
      >
        <p>Responders record "on site" themselves on their phone. Record it for them only if they cannot, and say why.</p>
        <label for="on-site-reason">Reason</label>
        <textarea id="on-site-reason" rows={2} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={action.busy || reason.trim().length < 3}>
          Record on site
        </button>
      </form>
      <ErrorLine error={action.error} />
    </Dialog>
  );
}
