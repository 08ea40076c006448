import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { SensorDescription } from '../../../protocol/index.ts';
import { STANDARD_LAYOUT } from '../../../simulators/src/layout.ts';
import type { Directory } from '../care/directory.ts';
import type { Role } from '../care/model.ts';

/** What the demo needs to remember between starts (kept in the data folder, mode 0600). */
export interface DemoState {
  organisation: string;
  users: { role: Role; username: string; password: string }[];
  homes: { hubId: string; secret: string; resident: string; timezone: string; sensors: SensorDescription[] }[];
}

const DEMO_FILE = 'demo.json';
const RESIDENTS = ['Edith Clarke', 'Arthur Hughes', 'Margaret Patel', 'Stanley Okafor', 'Joan Evans', 'Harold Wright', 'Dorothy Singh', 'Albert Moore'];

/** The demo state saved in dataDir, if the demo was seeded there. */
export function loadDemo(dataDir: string): DemoState | undefined {
  const file = path.join(dataDir, DEMO_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DemoState) : undefined;
}

function password(): string {
  return crypto.randomBytes(9).toString('base64url');
}

/**
 * Seed a demo organisation on an empty data folder: a neighbourhood, one user
 * per role (random passwords), and `homes` commissioned homes with a resident
 * each. The passwords and hub secrets are written to `<dataDir>/demo.json`
 * (readable by the owner only) so the console and the simulators can use them.
 */
export async function seedDemo(directory: Directory, dataDir: string, homes: number): Promise<DemoState> {
  const org = await directory.addOrganisation('Demo Care Alliance');
  const nb = await directory.addNeighbourhood({ orgId: org.id, name: 'Riverside', outOfHoursRoute: 'Out-of-hours nursing line' });
  const state: DemoState = { organisation: org.name, users: [], homes: [] };
  let coordinatorId: string | null = null;
  for (const role of ['operator', 'coordinator', 'responder', 'installer', 'admin'] as Role[]) {
    const pw = password();
    const u = await directory.addUser({ orgId: org.id, username: role, password: pw, role, displayName: `Demo ${role}`, neighbourhoodId: nb.id });
    if (role === 'coordinator') coordinatorId = u.id;
    state.users.push({ role, username: role, password: pw });
  }
  for (let i = 1; i <= homes; i++) {
    const hubId = `demo-hub-${String(i).padStart(3, '0')}`;
    const { secret } = await directory.addHub({ orgId: org.id, hubId, name: `Demo home ${i}` });
    for (const s of STANDARD_LAYOUT) {
      await directory.commissionSensor({ hubId, sensorId: s.sensor, type: s.type, room: s.room, ...(s.role ? { role: s.role } : {}) });
    }
    const resident = RESIDENTS[(i - 1) % RESIDENTS.length]!;
    await directory.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: resident, hubId, timezone: 'Europe/London', coordinatorId });
    state.homes.push({ hubId, secret, resident, timezone: 'Europe/London', sensors: [...STANDARD_LAYOUT] });
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, DEMO_FILE), JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}
