// `npm run gateway -- --config <file> [--walk-test]`: the home hub.
import { Command } from 'commander';
import { pino } from 'pino';
import { SystemClock } from '../../server/src/clock.ts';
import { ConfigError, loadGatewayConfig } from './config.ts';
import { Gateway } from './gateway.ts';

const program = new Command()
  .name('hearth-gateway')
  .description('Hearth home hub: sensor adapters, durable outbox, link to the server')
  .requiredOption('--config <file>', 'gateway config file (JSON), see docs/gateway.md')
  .option('--walk-test', "print each sensor's events as they happen (and still send them)", false)
  .option('--data-dir <dir>', 'override the config file dataDir')
  .option('--log-level <level>', 'pino log level', process.env.HEARTH_LOG_LEVEL ?? 'info')
  .parse();
const opts = program.opts<{ config: string; walkTest: boolean; dataDir?: string; logLevel: string }>();

// Logs go to stderr so the walk test owns stdout; the secret never reaches them.
const log = pino({ level: opts.logLevel, redact: ['*.secret', '*.password', 'secret', 'password'] }, pino.destination(2));

let config;
try {
  config = loadGatewayConfig(opts.config);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`hearth-gateway: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
if (opts.dataDir) config.dataDir = opts.dataDir;

// keepAlive: with the server unreachable, the retry timers are all the gateway has to do.
const gateway = new Gateway({ config, clock: new SystemClock({ keepAlive: true }), log, walkTest: opts.walkTest });
// Signal handlers before start(): a stop asked for during start waits for it, then says goodbye.
let started: Promise<void> = Promise.resolve();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    started
      .catch(() => undefined)
      .then(() => gateway.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
started = gateway.start();
await started;
log.info({ hubId: config.hubId, server: config.server.url, dataDir: config.dataDir, queued: gateway.outbox.size() }, 'gateway started');
