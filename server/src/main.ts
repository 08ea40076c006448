// `npm start`: the whole system on embedded defaults: broker in-process, SQLite
// under ./data, the console served, and (on an empty data folder) a demo
// organisation with simulated homes.
import { createHearth } from './app.ts';
import { loadConfig } from './config.ts';
import { loadDemo, seedDemo } from './demo/seed.ts';

const config = loadConfig();
const hearth = await createHearth({ config });
const log = hearth.app.log;

let demo = loadDemo(config.dataDir);
if (!demo && (config.demo === 'on' || (config.demo === 'auto' && (await hearth.services.directory.isEmpty())))) {
  demo = await seedDemo(hearth.services.directory, config.dataDir, config.demoHomes);
  await (await import('./demo/records.ts')).seedDemoRecords(hearth.services.db, hearth.services.directory, demo.organisation);
  // Weeks of simulated history, so the coordinator's trends have something to show (docs/coordinator.md).
  const { seedDemoHistory } = await import('./demo/history.ts');
  const started = Date.now();
  const history = await seedDemoHistory(hearth, demo);
  log.info({ ...history, ms: Date.now() - started }, 'demo history seeded');
}
await hearth.start();

let simulation: { stop(): Promise<void> } | undefined;
if (demo && config.demo !== 'off') {
  // Loaded only for the demo: a production server never carries the simulators.
  const { startLiveSimulation } = await import('../../simulators/src/live.ts');
  simulation = startLiveSimulation({
    mqttUrl: `mqtt://127.0.0.1:${hearth.ports.mqtt}`,
    homes: demo.homes,
    seed: 1,
  });
}

const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${hearth.ports.http}/`;
const lines = [
  '',
  `  Hearth is running: ${url}`,
  `  MQTT for hubs: mqtt://${config.host}:${hearth.ports.mqtt}  (and ws at ${url}mqtt)`,
  `  API description: ${url}api/openapi.json`,
];
if (demo) {
  lines.push(`  Demo organisation "${demo.organisation}" with ${demo.homes.length} simulated homes. Sign in as:`);
  for (const u of demo.users) lines.push(`    ${u.role.padEnd(12)} username ${u.username.padEnd(12)} password ${u.password}`);
  lines.push(`  (kept in ${config.dataDir}/demo.json; delete the data folder to start afresh)`);
}
// The console banner goes to stdout on purpose: it is for the person who typed npm start.
process.stdout.write(`${lines.join('\n')}\n\n`);

let stopping = false;
const shutdown = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await simulation?.stop();
  await hearth.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
