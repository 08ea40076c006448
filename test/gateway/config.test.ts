import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config.ts';
import { tempDir } from '../helpers/hearth.ts';

describe('gateway config file', () => {
  const d = tempDir('hearth-gwconf-');
  afterAll(() => d.remove());
  const write = (name: string, body: unknown): string => {
    const f = path.join(d.dir, name);
    fs.writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
    return f;
  };

  it('applies defaults, resolves paths against the file, reads a secret file', () => {
    write('hub.secret', 's3cret-value\n');
    const cfg = loadGatewayConfig(write('ok.json', { hubId: 'hub-0042', secretFile: 'hub.secret', server: { url: 'mqtts://hearth.example:8883' } }));
    expect(cfg.secret).toBe('s3cret-value');
    expect(cfg.dataDir).toBe(path.join(d.dir, 'gateway-data'));
    expect(cfg.heartbeatSeconds).toBe(60);
    expect(cfg.outbox).toEqual({ maxEvents: 200_000, drainEventsPerSecond: 200, batchSize: 100, inFlight: 4 });
  });

  it('accepts the example config shipped in gateway/', () => {
    const example = JSON.parse(fs.readFileSync(new URL('../../gateway/gateway.example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const cfg = loadGatewayConfig(write('example.json', { ...example, secretFile: undefined, secret: 'x' }));
    expect(cfg.adapters[0]).toMatchObject({ kind: 'zigbee2mqtt', devices: { 'Front door': { sensor: 'front-door' } } });
  });

  it('explains what is wrong', () => {
    expect(() => loadGatewayConfig(write('bad.json', { hubId: 'Hub 1', secret: 'x', server: { url: 'http://x' } }))).toThrow(/hubId.*server\.url|server\.url.*hubId/s);
    expect(() => loadGatewayConfig(write('claim.json', { hubId: 'hub-0042', claimCode: 'ABCD-1234', server: { url: 'mqtt://x:1883' } }))).toThrow(/claim codes are not used: register the hub in the Hearth console/);
    expect(() => loadGatewayConfig(write('typo.json', { hubId: 'hub-0042', secret: 'x', server: { url: 'mqtt://x:1883' }, heartbeatSecs: 30 }))).toThrow(/heartbeatSecs/);
    expect(() => loadGatewayConfig(write('notjson.json', '{ hubId: '))).toThrow(/cannot read config/);
  });

});
