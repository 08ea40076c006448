import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, tempDir } from '../../helpers/hearth.ts';

describe('events stored but not yet seen by the detectors when the server died', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('are fed to the detectors on the next start, so their alerts are raised, once', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-26T10:00:00Z'));
    const first = await startHearth({ clock, dataDir: tmp.dir });
    const fx = await seedOrg(first.hearth, 'Org', 'hub-recover');
    await first.hearth.stop();
    // As if ingest committed this fall and the process died before the detectors ran:
    // written straight to the store, after the checkpoint, with no alert.
    const { openDatabase } = await import('../../../server/src/db/database.ts');
    const path = await import('node:path');
    const raw = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    clock.advance(5_000);
    await raw.db
      .insertInto('events')
      .values({ seq: 1, hub_id: fx.hub.hubId, event_id: 'unfed-fall', ts: clock.now() - 1000, received_at: clock.now(), sensor: 'hall-fall', type: 'fall', value: 'true', battery: null, late: 0 })
      .execute();
    await raw.db.destroy();

    clock.advance(5_000);
    const second = await startHearth({ clock, dataDir: tmp.dir });
    await second.hearth.settle();
    const alerts = await second.hearth.services.db.selectFrom('alerts').selectAll().execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'fall', hub_id: fx.hub.hubId, repeat_count: 0 });
    expect(JSON.parse(alerts[0]!.cause).events[0].id).toBe('unfed-fall');
    await second.hearth.stop();

    // A third start has nothing left to feed: still one alert, not repeated.
    const third = await startHearth({ clock, dataDir: tmp.dir });
    await third.hearth.settle();
    const again = await third.hearth.services.db.selectFrom('alerts').selectAll().execute();
    expect(again).toHaveLength(1);
    expect(again[0]!.repeat_count).toBe(0);
    const log = await third.hearth.services.db.selectFrom('alert_log').select('action').execute();
    expect(log.map((r) => r.action)).not.toContain('repeated');
    await third.hearth.stop();
  });
});
