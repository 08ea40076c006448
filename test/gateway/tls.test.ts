import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { SystemClock } from '../../server/src/clock.ts';
import { tempDir } from '../helpers/hearth.ts';
import { skipWithoutMosquitto, sleep, startMosquitto, testLog, until } from './helpers.ts';

const HAS_OPENSSL = fs.existsSync('/usr/bin/openssl');

// A throwaway CA and a server certificate for 127.0.0.1.
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const p = (f: string) => path.join(dir, f);
  const run = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=hearth-test-ca', '-keyout', p('ca.key'), '-out', p('ca.crt'));
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server.key'), '-out', p('server.csr'));
  fs.writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', p('ext.cnf'), '-out', p('server.crt'));
  // Mosquitto started as root drops to its own user before it reads these: let it.
  fs.chmodSync(dir, 0o755);
  for (const f of ['ca.crt', 'server.crt', 'server.key']) fs.chmodSync(p(f), 0o644);
  return { ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key') };
}

describe.skipIf(skipWithoutMosquitto() || (!HAS_OPENSSL && process.env.CI !== 'true'))('gateway over TLS (Mosquitto with a test CA)', () => {
  const d = tempDir('hearth-tls-');
  afterAll(() => d.remove());

  it('connects with the configured CA, and refuses a server it cannot verify', async () => {
    const certs = makeCerts(d.dir);
    const broker = await startMosquitto({ tls: certs });
    const watcher = await mqtt.connectAsync(broker.url, { ca: fs.readFileSync(certs.ca), clientId: 'watcher' });
    const seen: { topic: string; body: string }[] = [];
    watcher.on('message', (topic, b) => seen.push({ topic, body: b.toString() }));
    await watcher.subscribeAsync('hearth/v1/hubs/#', { qos: 1 });
    const make = (tls: Record<string, unknown>, dir: string) =>
      new Gateway({
        config: { ...GatewayConfigSchema.parse({ hubId: 'hub-tls', secret: 'tls-secret', server: { url: broker.url, tls }, dataDir: path.join(d.dir, dir) }), secret: 'tls-secret' },
        clock: new SystemClock(),
        log: testLog,
      });
    try {
      // Without the CA the certificate cannot be verified: no connection, events wait in the outbox.
      const untrusting = make({}, 'gw-a');
      await untrusting.start();
      untrusting.submit({ sensor: 'kitchen-pir', type: 'motion', value: true, source: 'test' });
      await sleep(500);
      expect(untrusting.link.isOnline()).toBe(false);
      expect(untrusting.outbox.size()).toBe(1);
      await untrusting.stop();

      const trusting = make({ ca: certs.ca }, 'gw-b');
      await trusting.start();
      await until(() => trusting.link.isOnline(), { what: 'TLS connection' });
      trusting.submit({ sensor: 'kitchen-pir', type: 'motion', value: true, source: 'test' });
      await until(() => seen.some((m) => m.topic === topics.events('hub-tls')), { what: 'event over TLS' });
      expect(seen.find((m) => m.topic === topics.status('hub-tls'))!.body).toMatch(/"state":"online"/);
      await until(() => trusting.outbox.size() === 0, { what: 'PUBACK' });
      await trusting.stop();
    } finally {
      await watcher.endAsync();
      await broker.stop();
    }
  });
});
