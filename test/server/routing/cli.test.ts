import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { routingCli } from '../../../server/src/cli/routing.ts';
import { tempDir } from '../../helpers/hearth.ts';
import { runCliJson } from '../../helpers/cli.ts';

/** Run the CLI in-process with --json; the printed output parsed. */
const cli = (dataDir: string, ...args: string[]): Promise<any> => runCliJson(dataDir, args, [routingCli]);

describe('routing commands of the admin CLI', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('sets the urgent team hours, adds a channel from a file, records care details and prints a report', async () => {
    const org = await cli(tmp.dir, 'org', 'add', 'CLI Care');
    await cli(tmp.dir, 'neighbourhood', 'add', '--org', 'CLI Care', '--name', 'Docks');
    await cli(tmp.dir, 'user', 'add', '--org', org.id, '--username', 'cli-coord', '--role', 'coordinator');
    const res = await cli(tmp.dir, 'resident', 'add', '--org', org.id, '--neighbourhood', 'Docks', '--name', 'Ray Example', '--confirm-consent');

    const hours = await cli(tmp.dir, 'routing', 'hours', '--org', 'CLI Care', '--neighbourhood', 'Docks', '--urgent-start', '07:00', '--urgent-end', '22:00', '--out-of-hours', 'Night line');
    expect(hours).toMatchObject({ urgentStart: '07:00', urgentEnd: '22:00', outOfHoursRoute: 'Night line' });
    const show = await cli(tmp.dir, 'routing', 'show', '--org', 'CLI Care', '--neighbourhood', 'Docks', '--at', '2026-01-10T21:30:00Z');
    expect(show.fall).toEqual({ period: 'in-hours', targets: ['operator', 'urgent-response', 'coordinator'] });
    const late = await cli(tmp.dir, 'routing', 'show', '--org', 'CLI Care', '--neighbourhood', 'Docks', '--at', '2026-01-10T22:30:00Z');
    expect(late.fall).toEqual({ period: 'out-of-hours', targets: ['operator', 'out-of-hours', 'coordinator'] });

    const cfg = path.join(tmp.dir, 'hook.json');
    fs.writeFileSync(cfg, JSON.stringify({ url: 'https://example.org/hearth?token=abc', secret: 'cli-secret-0123456789abcdef' }));
    const ch = await cli(tmp.dir, 'channel', 'add', '--org', 'CLI Care', '--owner-type', 'team', '--owner', 'Docks', '--kind', 'webhook', '--config', cfg);
    expect(ch).toMatchObject({ kind: 'webhook', ownerType: 'team', target: 'https://example.org/hearth' });
    const list = await cli(tmp.dir, 'channel', 'list', '--org', 'CLI Care');
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain('cli-secret');

    await cli(tmp.dir, 'care', 'coordinator', '--org', 'CLI Care', '--resident', res.id, '--coordinator', 'cli-coord');
    await cli(tmp.dir, 'care', 'consent', '--org', 'CLI Care', '--resident', res.id, '--monitoring', 'yes', '--share-with-contacts', 'yes', '--recorded-by', 'cli-coord');
    await cli(tmp.dir, 'care', 'away', '--org', 'CLI Care', '--resident', res.id, 'on');
    const r = await cli(tmp.dir, 'care', 'plan', '--org', 'CLI Care', '--resident', res.id, '--set', 'usualRising=09:30', '--set', 'coldBelowC=17');
    expect(r).toMatchObject({ away: true, consent: { monitoring: true, shareWithContacts: true, recordedBy: 'cli-coord' }, plan: { usualRising: '09:30', coldBelowC: 17, longLieMinutes: 20 } });
    expect(r.coordinatorId).toBe((await cli(tmp.dir, 'care', 'users', '--org', 'CLI Care', '--role', 'coordinator'))[0].id);
    await expect(cli(tmp.dir, 'care', 'plan', '--org', 'CLI Care', '--resident', res.id, '--set', 'coldBelowC=99')).rejects.toMatchObject({ code: 'HEARTH_ERR_VALIDATION' });

    const report = await cli(tmp.dir, 'report', 'service', '--org', 'CLI Care', '--neighbourhood', 'Docks', '--month', '2026-01');
    expect(report).toMatchObject({ month: '2026-01', alerts: { total: 0 }, acknowledgement: { share: null, met: null } });
  });
});
