// The detectors' homes: read at start, then every minute only those that changed, from any process
// (triggers mark them: migration 0020; issue 14's idle-fleet CPU).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { otherConnection, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('homes refreshed by change, not all every minute', () => {
  const clock = new VirtualClock(Date.parse('2026-03-02T10:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  beforeAll(async () => {
    h = await startHearth({ clock });
    a = await seedOrg(h.hearth, 'Org Change', 'hub-change');
    b = await seedOrg(h.hearth, 'Org Still', 'hub-still');
    // Registered after the start: their rows mark them, and the first minute reads them.
    clock.advance(60_000);
    await h.hearth.settle();
  });
  afterAll(async () => h.close());

  /** Another process (the CLI) writes the database; the server is not told. */
  function elsewhere(sqlText: string, ...args: unknown[]): void {
    const raw = otherConnection(h.dataDir);
    raw.prepare(sqlText).run(...args);
    raw.close();
  }

  async function minute(): Promise<void> {
    clock.advance(60_000);
    await h.hearth.settle();
  }

  it('a sensor moved to another room from another process is seen within a minute; an unchanged home is not read again', async () => {
    const homes = h.hearth.services.homes;
    const still = homes.get(b.hub.hubId);
    expect(still).toBeDefined();
    expect(homes.get(a.hub.hubId)?.sensors.get('kitchen-pir')?.room).toBe('kitchen');
    elsewhere('UPDATE sensors SET room = ? WHERE hub_id = ? AND sensor_id = ?', 'lounge', a.hub.hubId, 'kitchen-pir');
    await minute();
    expect(homes.get(a.hub.hubId)?.sensors.get('kitchen-pir')?.room).toBe('lounge');
    expect(homes.get(b.hub.hubId)).toBe(still); // the same object: not read again
  });

  it("a resident's plan, a new sensor and a hub removed from another process are all seen", async () => {
    const homes = h.hearth.services.homes;
    elsewhere("UPDATE residents SET plan = ? WHERE id = ?", JSON.stringify({ inactivityCeilingMinutes: 180 }), a.residentId);
    elsewhere("INSERT INTO sensors (hub_id, sensor_id, type, room, role, commissioned) VALUES (?, 'bath-pir', 'motion', 'bathroom', 'bathroom', 1)", a.hub.hubId);
    await minute();
    const home = homes.get(a.hub.hubId)!;
    expect(home.residents[0]?.plan.inactivityCeilingMinutes).toBe(180);
    expect(home.sensors.get('bath-pir')?.room).toBe('bathroom');
    // What the hot path writes (a sensor's last-seen time, a hub's heartbeat) marks nothing.
    const before = homes.get(a.hub.hubId);
    elsewhere('UPDATE sensors SET last_seen_at = ?, battery = 50 WHERE hub_id = ?', clock.now(), a.hub.hubId);
    elsewhere('UPDATE hubs SET last_heartbeat_seq = 7, last_seen_at = ? WHERE id = ?', clock.now(), a.hub.hubId);
    await minute();
    expect(homes.get(a.hub.hubId)).toBe(before);
    // A hub removed outright is forgotten.
    const raw = otherConnection(h.dataDir, { foreignKeys: false });
    raw.prepare('DELETE FROM hubs WHERE id = ?').run(b.hub.hubId);
    raw.close();
    await minute();
    expect(homes.get(b.hub.hubId)).toBeUndefined();
  });

  it('a refresh that fails after taking the marks reads every home the next minute: the change is not lost', async () => {
    const homes = h.hearth.services.homes;
    elsewhere('UPDATE sensors SET room = ? WHERE hub_id = ? AND sensor_id = ?', 'hall', a.hub.hubId, 'kitchen-pir');
    // The homes cannot be read this minute (the table is away), after the marks were taken.
    const raw = otherConnection(h.dataDir);
    raw.prepare('ALTER TABLE sensors RENAME TO sensors_away').run();
    await minute();
    expect(homes.get(a.hub.hubId)?.sensors.get('kitchen-pir')?.room).toBe('lounge');
    raw.prepare('ALTER TABLE sensors_away RENAME TO sensors').run();
    raw.close();
    await minute();
    expect(homes.get(a.hub.hubId)?.sensors.get('kitchen-pir')?.room).toBe('hall');
  });
});
