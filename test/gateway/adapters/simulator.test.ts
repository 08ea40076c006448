import { describe, expect, it } from 'vitest';
import { HubEventSchema } from '../../../protocol/index.ts';
import type { SensorReading } from '../../../gateway/src/adapters/adapter.ts';
import { SimulatorAdapter, SimulatorConfigSchema } from '../../../gateway/src/adapters/simulator.ts';
import { VirtualClock } from '../../../server/src/clock.ts';

const T0 = Date.parse('2026-11-26T05:00:00Z');

async function run(config: unknown, hours: number): Promise<{ r: SensorReading; at: number }[]> {
  const clock = new VirtualClock(T0);
  const got: { r: SensorReading; at: number }[] = [];
  const sim = new SimulatorAdapter(SimulatorConfigSchema.parse(config), clock);
  await sim.start({ reading: (r) => got.push({ r, at: clock.now() }), availability: () => {} });
  clock.advance(hours * 3600_000);
  await sim.stop();
  const n = got.length;
  clock.advance(3600_000);
  expect(got.length).toBe(n); // stopped means stopped
  return got;
}

describe('simulator adapter', () => {
  it("plays the simulators' resident routine on the injected clock, each reading at its own time", async () => {
    const got = await run({ kind: 'simulator', mode: 'routine', seed: 3 }, 12);
    expect(got.length).toBeGreaterThan(10);
    expect(got.some((g) => g.r.type === 'motion')).toBe(true);
    for (const g of got) {
      expect(g.r.ts).toBe(g.at);
      expect(HubEventSchema.safeParse({ id: 'x', ts: new Date(g.r.ts!).toISOString(), sensor: g.r.sensor, type: g.r.type, value: g.r.value, ...(g.r.battery !== undefined ? { battery: g.r.battery } : {}) }).success).toBe(true);
    }
  });

  it('walks the same way for the same seed, and plays its script', async () => {
    const cfg = { kind: 'simulator', mode: 'walk', seed: 11, stepSeconds: 30, script: [{ afterSeconds: 90, sensor: 'pendant', type: 'call', value: 'pressed' }] };
    const a = await run(cfg, 1);
    const b = await run(cfg, 1);
    expect(a.map((g) => [g.r.sensor, g.r.value, g.at])).toEqual(b.map((g) => [g.r.sensor, g.r.value, g.at]));
    expect(a.find((g) => g.r.type === 'call')).toMatchObject({ at: T0 + 90_000, r: { sensor: 'pendant', value: 'pressed' } });
    expect(new Set(a.map((g) => g.r.sensor)).size).toBeGreaterThan(3);
  });
});
