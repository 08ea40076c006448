// The alarm for new urgent alerts: a Web Audio tone, a desktop notification when the operator allowed
// them, and a mute that always runs out (never muted for ever). Each sounding is counted on
// window.__hearthAlarm and <html data-alarm-count>, so tests and the operator can see it happened.
import { useEffect, useState } from 'preact/hooks';
import type { AlertView } from '../../api.ts';
import { ALERT_NEWS } from '../../use-open-alerts.ts';
import { typeLabel } from '../../alert-list.ts';
import { residentOf } from './api.ts';

/** How long a mute lasts: the alarm always comes back. */
export const MUTE_MS = 5 * 60_000;

interface AlarmState {
  count: number;
  lastAlertId: string | null;
  mutedUntil: number;
}
const state: AlarmState = { count: 0, lastAlertId: null, mutedUntil: 0 };
const listeners = new Set<() => void>();
let audio: AudioContext | undefined;
(window as unknown as { __hearthAlarm: AlarmState }).__hearthAlarm = state;

function changed(): void {
  for (const l of listeners) l();
}

/** Sound the alarm for an alert (unless muted): two rising tones, three times. */
export function soundAlarm(alert: AlertView): void {
  state.lastAlertId = alert.id;
  if (Date.now() < state.mutedUntil) return;
  state.count++;
  document.documentElement.dataset.alarmCount = String(state.count);
  try {
    audio ??= new AudioContext();
    void audio.resume().catch(() => undefined);
    const t0 = audio.currentTime;
    for (let i = 0; i < 6; i++) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = i % 2 === 0 ? 880 : 1175;
      gain.gain.setValueAtTime(0.0001, t0 + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + i * 0.25 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.25 + 0.22);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + i * 0.25);
      osc.stop(t0 + i * 0.25 + 0.24);
    }
  } catch {
    // No audio device: the visual and spoken announcements still happen.
  }
  changed();
}

/** Show a desktop notification for an alert, when the operator allowed them. */
export function notifyDesktop(alert: AlertView): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const who = residentOf(alert)?.name ?? `hub ${alert.hubId}`;
  try {
    const n = new Notification(`Urgent: ${typeLabel(alert.type)}, ${who}`, { body: String((alert.cause as { summary?: unknown }).summary ?? ''), tag: alert.id, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      window.location.hash = `#/alerts/${encodeURIComponent(alert.id)}`;
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the alarm and the list still show it.
  }
}

/** Mute the alarm for MUTE_MS, or unmute now. */
export function setMuted(muted: boolean): void {
  state.mutedUntil = muted ? Date.now() + MUTE_MS : 0;
  changed();
}

/** The alarm's state for a component: muted until when, and the desktop notification permission. */
export function useAlarm(): { mutedUntil: number; permission: NotificationPermission | 'unsupported'; askPermission: () => void } {
  const [, setTick] = useState(0);
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    // New urgent alerts sound the alarm while a console page is open.
    const onNews = (e: Event) => {
      const m = (e as CustomEvent<{ change: string; alert: AlertView }>).detail;
      if (m.change === 'raised' && m.alert.severity === 'urgent') {
        soundAlarm(m.alert);
        notifyDesktop(m.alert);
      }
    };
    ALERT_NEWS.addEventListener('alert', onNews);
    return () => {
      listeners.delete(l);
      ALERT_NEWS.removeEventListener('alert', onNews);
    };
  }, []);
  return {
    mutedUntil: state.mutedUntil > Date.now() ? state.mutedUntil : 0,
    permission,
    askPermission: () => {
      if (typeof Notification === 'undefined') return;
      void Notification.requestPermission().then(setPermission);
    },
  };
}
