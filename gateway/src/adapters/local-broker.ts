import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/**
 * Subscribe on each (re)connect. Resolves once the first subscription is in
 * place, or after `waitMs` if the local broker is not up yet (a Pi may boot the
 * gateway before Mosquitto): the adapter then subscribes when it comes.
 */
export async function subscribeOnEveryConnect(client: MqttClient, filters: string | string[], log: Logger, waitMs = 5000): Promise<void> {
  let ready!: () => void;
  const first = new Promise<void>((r) => (ready = r));
  client.on('connect', () => {
    client.subscribe(filters, { qos: 1 }, (err) => {
      if (err) log.warn({ err: err.message }, 'local broker refused the subscription');
      else ready();
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => {
    // Real time on purpose: this waits for a socket, not for a domain timer.
    timer = setTimeout(() => {
      log.warn('local broker not reachable yet; will subscribe when it is');
      r();
    }, waitMs);
    timer.unref();
  });
  await Promise.race([first, late]);
  clearTimeout(timer);
}
