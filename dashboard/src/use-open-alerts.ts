import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type AlertView } from './api.ts';
import { compareAlerts, isOpen, mergeAlert, typeLabel, SEVERITY_LABELS } from './alert-list.ts';
import { LiveStream, streamUrl } from './live-stream.ts';

/** Every alert change from the stream, as an 'alert' event with `{ change, alert }` (the alarm listens). */
export const ALERT_NEWS = new EventTarget();

/** The state of the live connection, for the banner. */
export type LiveState = { kind: 'connecting' } | { kind: 'up' } | { kind: 'down'; retryAt: number; attempt: number };

/** The open alerts, kept live; what the console shows and does with them. */
export interface OpenAlerts {
  alerts: AlertView[];
  /** Whether the first list has arrived. */
  loaded: boolean;
  loadError: string | null;
  live: LiveState;
  /** The last change worth announcing to a screen reader. */
  announcement: string;
  /** Merge an alert the server returned (after acknowledge or resolve). */
  apply(alert: AlertView): void;
  refetch(): Promise<void>;
  reconnectNow(): void;
}

/**
 * The open-alert list: fetched, then kept current from the WebSocket stream,
 * and fetched again on every reconnection (changes made while the stream was
 * down were never sent). Stream news that arrives while a fetch is in flight
 * is replayed over the fetched list, so the fetch cannot hide it.
 */
export function useOpenAlerts(enabled: boolean, onSessionLost: () => void): OpenAlerts {
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveState>({ kind: 'connecting' });
  const [announcement, setAnnouncement] = useState('');
  const inFlight = useRef<{ seq: number; news: AlertView[] } | null>(null);
  const seq = useRef(0);
  const stream = useRef<LiveStream | null>(null);

  const apply = useCallback((alert: AlertView) => {
    inFlight.current?.news.push(alert);
    setAlerts((list) => mergeAlert(list, alert));
  }, []);

  const refetch = useCallback(async () => {
    const mine = { seq: ++seq.current, news: [] as AlertView[] };
    inFlight.current = mine;
    try {
      const res = await api.openAlerts();
      if (seq.current !== mine.seq) return; // a newer fetch is on its way
      let list = res.alerts.filter(isOpen).sort(compareAlerts);
      for (const a of mine.news) list = mergeAlert(list, a);
      setAlerts(list);
      setLoaded(true);
      setLoadError(null);
    } catch (err) {
      if (seq.current === mine.seq) setLoadError(err instanceof ApiError ? err.message : 'The alert list could not be loaded.');
    } finally {
      if (inFlight.current === mine) inFlight.current = null;
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    const s = new LiveStream(streamUrl(), {
      onUp: () => {
        setLive({ kind: 'up' });
        void refetch();
      },
      onDown: ({ retryInMs, attempt, everOpened }) => {
        setLive({ kind: 'down', retryAt: Date.now() + retryInMs, attempt });
        // An upgrade refused outright may mean the session has ended: ask.
        if (!everOpened) {
          api.whoAmI().catch((err: unknown) => {
            if (err instanceof ApiError && err.status === 401) onSessionLost();
          });
        }
      },
      onMessage: (m) => {
        if (m.type !== 'alert') return;
        apply(m.alert);
        const who = m.alert.residentName ?? m.alert.livesHere?.name ?? `hub ${m.alert.hubId}`;
        if (m.change === 'raised') {
          setAnnouncement(`New ${SEVERITY_LABELS[m.alert.severity].toLowerCase()} alert: ${typeLabel(m.alert.type)}, ${who}`);
        } else if (m.change === 'escalated') {
          const to = (m.alert.escalationLevel ?? 0) >= 2 ? 'the supervisor' : 'every operator on shift';
          setAnnouncement(`Escalated to ${to}: ${typeLabel(m.alert.type)}, ${who}, not acknowledged`);
        } else if (m.change === 'response-breach') {
          setAnnouncement(`Two-hour response standard breached: ${typeLabel(m.alert.type)}, ${who}`);
        }
        ALERT_NEWS.dispatchEvent(new CustomEvent('alert', { detail: { change: m.change, alert: m.alert } }));
      },
    });
    stream.current = s;
    // The list is fetched as soon as the stream is up (and on every reconnection); fetch now too, so a slow stream does not leave the screen empty.
    void refetch();
    s.start();
    return () => {
      s.stop();
      stream.current = null;
      setAlerts([]);
      setLoaded(false);
      setLive({ kind: 'connecting' });
    };
  }, [enabled, apply, refetch, onSessionLost]);

  const reconnectNow = useCallback(() => stream.current?.retryNow(), []);
  return { alerts, loaded, loadError, live, announcement, apply, refetch, reconnectNow };
}
