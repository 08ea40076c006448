import { describe, expect, it } from 'vitest';
import { connectHub, seedOrg, startHearth } from '../../helpers/hearth.ts';

describe('stopping the server', () => {
  it('finishes while hubs are still connected, and tells them', async () => {
    const h = await startHearth();
    const fx = await seedOrg(h.hearth, 'Org', 'hub-stop');
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    hub.on('error', () => {});
    const closed = new Promise<void>((resolve) => hub.once('close', () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      h.close().then(() => 'stopped'),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hung'), 10_000))),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe('stopped');
    await closed;
    hub.end(true);
  });
});
