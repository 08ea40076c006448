import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Directory } from '../../server/src/care/directory.ts';
import { openDatabase } from '../../server/src/db/database.ts';
import { tempDir } from '../helpers/hearth.ts';
import { runCliJson } from '../helpers/cli.ts';

/** Run the CLI in-process with --json; the printed output parsed. */
const cli = (dataDir: string, ...args: string[]): Promise<any> => runCliJson(dataDir, args);

describe('admin CLI', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('scripts a deployment: organisation, neighbourhood, users, hub (secret once), sensor and resident', async () => {
    const org = await cli(tmp.dir, 'org', 'add', 'Scripted Org');
    const nb = await cli(tmp.dir, 'neighbourhood', 'add', '--org', 'Scripted Org', '--name', 'East', '--urgent-start', '07:30', '--urgent-end', '21:00');
    process.env.HEARTH_PASSWORD = 'chosen-password-1';
    const op = await cli(tmp.dir, 'user', 'add', '--org', org.id, '--username', 'olive', '--role', 'operator', '--neighbourhood', 'East');
    delete process.env.HEARTH_PASSWORD;
    const coord = await cli(tmp.dir, 'user', 'add', '--org', org.id, '--username', 'cora', '--role', 'coordinator');
    const hub = await cli(tmp.dir, 'hub', 'add', '--org', 'Scripted Org', '--id', 'hub-script-1');
    await cli(tmp.dir, 'sensor', 'add', '--hub', 'hub-script-1', '--sensor', 'front-door', '--type', 'door', '--room', 'hall', '--role', 'exterior-door');
    const res = await cli(tmp.dir, 'resident', 'add', '--org', org.id, '--neighbourhood', nb.id, '--name', 'Ann Example', '--hub', 'hub-script-1', '--coordinator', 'cora', '--plan', '{"usualRising":"09:15"}', '--confirm-consent');

    expect(op).toMatchObject({ username: 'olive', role: 'operator', neighbourhoodId: nb.id });
    expect(op.password).toBeUndefined(); // a password given through the environment is not echoed
    expect(coord.password).toMatch(/^[A-Za-z0-9_-]{16}$/); // a generated one is shown once
    expect(hub.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const { db } = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    const d = new Directory(db, () => Date.now());
    expect(await d.checkPassword('olive', 'chosen-password-1')).toMatchObject({ role: 'operator' });
    expect(await d.checkPassword('cora', coord.password)).toMatchObject({ role: 'coordinator' });
    expect(await d.authenticateHub('hub-script-1', hub.secret)).toEqual({ orgId: org.id });
    const stored = await db.selectFrom('hubs').select('secret_hash').where('id', '=', 'hub-script-1').executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(hub.secret); // only a hash is kept
    const home = await d.getHome('hub-script-1');
    expect(home?.residents[0]).toMatchObject({ id: res.id, coordinatorId: coord.id });
    expect(home?.residents[0]?.plan.usualRising).toBe('09:15');
    expect(home?.residents[0]?.plan.longLieMinutes).toBe(20); // defaults filled in
    expect(home?.sensors.get('front-door')).toMatchObject({ type: 'door', room: 'hall', role: 'exterior-door', commissioned: true });
    await db.destroy();
  });

  it('refuses bad input with a catalogue code', async () => {
    await expect(cli(tmp.dir, 'user', 'add', '--org', 'No Such Org', '--username', 'x', '--role', 'operator')).rejects.toMatchObject({ code: 'HEARTH_ERR_NOT_FOUND' });
    await expect(cli(tmp.dir, 'hub', 'add', '--org', 'Scripted Org', '--id', 'Bad_Hub!')).rejects.toMatchObject({ code: 'HEARTH_ERR_VALIDATION' });
    await expect(cli(tmp.dir, 'hub', 'add', '--org', 'Scripted Org', '--id', 'hub-script-1')).rejects.toMatchObject({ code: 'HEARTH_ERR_CONFLICT' });
    await expect(cli(tmp.dir, 'resident', 'add', '--org', 'Scripted Org', '--neighbourhood', 'East', '--name', 'Z', '--timezone', 'Mars/Olympus')).rejects.toMatchObject({ code: 'HEARTH_ERR_VALIDATION' });
  });
});
