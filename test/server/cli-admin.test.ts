import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../../server/src/care/directory.ts';
import { EXIT, runCli, type CliIo } from '../../server/src/cli.ts';
import { openDatabase, type OpenedDb } from '../../server/src/db/database.ts';
import { tempDir } from '../helpers/hearth.ts';

/** One run of the real CLI entry (runCli), with its output and exit code. */
interface Run {
  exit: number;
  out: string;
  err: string;
  json: any;
}

function io(answer: string | null = null): CliIo & { out: string[]; err: string[]; asked: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  return {
    out,
    err,
    asked,
    write: (t) => void out.push(t),
    error: (t) => void err.push(t),
    readStdin: () => '',
    ask: async (q) => {
      asked.push(q);
      return answer;
    },
  };
}

describe('admin CLI: the defects of issue 13', () => {
  const tmp = tempDir();
  let orgId: string;
  const run = async (args: string[], answer: string | null = null): Promise<Run> => {
    const i = io(answer);
    const exit = await runCli(['node', 'hearth', '--data-dir', tmp.dir, ...args], [], i);
    const out = i.out.join('');
    let json: unknown;
    try {
      json = JSON.parse(out.trim().split('\n').pop() ?? '');
    } catch {
      json = undefined;
    }
    return { exit, out, err: i.err.join(''), json };
  };
  /** The database, opened for a look and closed again (the CLI opens it per command). */
  const peek = async <T,>(fn: (o: OpenedDb) => Promise<T>): Promise<T> => {
    const o = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    try {
      return await fn(o);
    } finally {
      await o.db.destroy();
    }
  };

  beforeAll(async () => {
    const r = await run(['--json', 'org', 'add', 'Riverside Care']);
    expect(r.exit).toBe(EXIT.ok);
    orgId = r.json.id;
    expect((await run(['neighbourhood', 'add', '--org', 'Riverside Care', '--name', 'North'])).exit).toBe(0);
  });
  afterAll(() => tmp.remove());

  it('duplicate names: org add of an existing name is refused (exit 1, HEARTH_ERR_CONFLICT, a sentence)', async () => {
    const r = await run(['org', 'add', 'Riverside Care']);
    expect(r.exit).toBe(EXIT.refused);
    expect(r.err).toMatch(/^HEARTH_ERR_CONFLICT: an organisation named "Riverside Care" exists already/);
    expect(await peek(({ db }) => db.selectFrom('organisations').select('id').where('name', '=', 'Riverside Care').execute())).toHaveLength(1);
  });

  it('duplicate names: --org NAME never silently takes the first of duplicates (data from before the fix)', async () => {
    await peek(async ({ db }) => {
      for (const id of ['dup-1', 'dup-2']) await db.insertInto('organisations').values({ id, name: 'Twin Org', created_at: Date.now() }).execute();
    });
    const r = await run(['--json', 'neighbourhood', 'add', '--org', 'Twin Org', '--name', 'South']);
    expect(r.exit).toBe(EXIT.refused);
    expect(r.json.error.code).toBe('HEARTH_ERR_CONFLICT');
    expect(r.json.error.message).toContain('2 organisations are named "Twin Org"; give the id instead (dup-1, dup-2)');
    expect((await run(['neighbourhood', 'add', '--org', 'dup-2', '--name', 'South'])).exit).toBe(EXIT.ok); // the id works
    expect((await run(['neighbourhood', 'add', '--org', 'Riverside Care', '--name', 'North'])).err).toMatch(/HEARTH_ERR_CONFLICT: the organisation has a neighbourhood named "North" already/);
  });

  it('times validated: urgent hours "8am" are refused when adding and when changing, and nothing is stored', async () => {
    const add = await run(['neighbourhood', 'add', '--org', 'Riverside Care', '--name', 'East', '--urgent-start', '8am']);
    expect(add.exit).toBe(EXIT.refused);
    expect(add.err).toContain('HEARTH_ERR_VALIDATION: urgent team start must be a 24-hour time HH:MM (e.g. 08:00), got "8am"');
    const change = await run(['routing', 'hours', '--org', 'Riverside Care', '--neighbourhood', 'North', '--urgent-end', '8pm']);
    expect(change.exit).toBe(EXIT.refused);
    expect(change.err).toMatch(/^HEARTH_ERR_VALIDATION: .*HH:MM/);
    const rows = await peek(({ db }) => db.selectFrom('neighbourhoods').select(['name', 'urgent_start', 'urgent_end']).where('org_id', '=', orgId).execute());
    expect(rows).toEqual([{ name: 'North', urgent_start: '08:00', urgent_end: '20:00' }]);
  });

  it('every error a HEARTH_ERR_* with a sentence: an unknown hub is named, never "FOREIGN KEY constraint failed"', async () => {
    const sensor = await run(['sensor', 'add', '--hub', 'hub-nowhere', '--sensor', 'hall-pir', '--type', 'motion', '--room', 'hall']);
    expect(sensor.exit).toBe(EXIT.refused);
    expect(sensor.err).toBe('HEARTH_ERR_NOT_FOUND: no hub "hub-nowhere": add it first with `hub add --org ... --id hub-nowhere` (see `hub list --org ...`)\n');
    const resident = await run(['resident', 'add', '--org', 'Riverside Care', '--neighbourhood', 'North', '--name', 'Ann', '--hub', 'hub-nowhere', '--confirm-consent']);
    expect(resident.err).toMatch(/^HEARTH_ERR_NOT_FOUND: no hub "hub-nowhere" in that organisation/);
    for (const r of [sensor, resident]) expect(r.err).not.toMatch(/FOREIGN KEY|INTERNAL/);
  });

  it('consent not recorded without asking: refused without --confirm-consent when nobody can answer; asked at a terminal', async () => {
    const silent = await run(['resident', 'add', '--org', 'Riverside Care', '--neighbourhood', 'North', '--name', 'Edith Clarke']);
    expect(silent.exit).toBe(EXIT.refused);
    expect(silent.err).toMatch(/^HEARTH_ERR_VALIDATION: consent to monitoring is not recorded without asking: pass --confirm-consent/);
    const no = await run(['resident', 'add', '--org', 'Riverside Care', '--neighbourhood', 'North', '--name', 'Edith Clarke'], 'no');
    expect(no.err).toMatch(/consent was not confirmed, so Edith Clarke was not added/);
    expect(await peek(({ db }) => db.selectFrom('residents').select('id').where('name', '=', 'Edith Clarke').execute())).toEqual([]);

    const yes = await run(['resident', 'add', '--org', 'Riverside Care', '--neighbourhood', 'North', '--name', 'Edith Clarke'], 'yes');
    expect(yes.exit).toBe(EXIT.ok);
    const flagged = await run(['--json', 'resident', 'add', '--org', 'Riverside Care', '--neighbourhood', 'North', '--name', 'Bert Owen', '--confirm-consent', '--consent-recorded-by', 'Sam Installer']);
    expect(flagged.json.consent).toMatchObject({ monitoring: true, recordedBy: 'Sam Installer' });
    const stored = await peek(({ db }) => new Directory(db, () => Date.now()).getResident(orgId, flagged.json.id));
    expect(stored.consent).toMatchObject({ monitoring: true, shareWithContacts: false, recordedBy: 'Sam Installer' });
  });

  it('--json errors as JSON on standard output, nothing on standard error', async () => {
    const r = await run(['--json', 'user', 'add', '--org', 'No Such Org', '--username', 'x', '--role', 'operator']);
    expect(r.err).toBe('');
    expect(r.json).toEqual({ error: { code: 'HEARTH_ERR_NOT_FOUND', message: 'no organisation "No Such Org" (see `org list`)', exitCode: 1 } });
    const usage = await run(['--json', 'user', 'add', '--org', 'Riverside Care']);
    expect(usage.err).toBe('');
    expect(usage.json.error).toMatchObject({ code: 'HEARTH_ERR_USAGE', exitCode: 2 });
  });

  it('channel test: sent through the notifier under HEARTH_OUTBOUND_ALLOW, and recorded in the channel_tests history', async () => {
    const got: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    fs.writeFileSync(path.join(tmp.dir, 'hook.json'), JSON.stringify({ url: `http://${host}/hook`, secret: 'cli-test-secret-0123456789' }));
    expect((await run(['channel', 'add', '--org', 'Riverside Care', '--owner-type', 'route', '--owner', 'night', '--kind', 'webhook', '--name', 'Night hook', '--config', path.join(tmp.dir, 'hook.json')])).exit).toBe(0);
    const blocked = await run(['--json', 'channel', 'test', '--org', 'Riverside Care', 'Night hook']);
    expect(blocked.json).toMatchObject({ status: 'failed', error: expect.stringMatching(/^blocked: .*HEARTH_OUTBOUND_ALLOW/) });
    process.env.HEARTH_OUTBOUND_ALLOW = host;
    try {
      const sent = await run(['--json', 'channel', 'test', '--org', 'Riverside Care', 'Night hook']);
      expect(sent.json).toMatchObject({ status: 'delivered', requestedBy: 'cli' });
    } finally {
      delete process.env.HEARTH_OUTBOUND_ALLOW;
      await new Promise((r) => server.close(r));
    }
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!)).toMatchObject({ change: 'test', alert: { type: 'test' } });
    const rows = await peek(({ db }) => db.selectFrom('channel_tests').select(['status', 'requested_by']).orderBy('id').execute());
    expect(rows).toEqual([
      { status: 'failed', requested_by: 'cli' },
      { status: 'delivered', requested_by: 'cli' },
    ]);
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await run(['--version']);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(r).toMatchObject({ exit: 0, out: `${pkg.version}\n` });
  });

  it('distinct exit codes: usage 2, refused 1, internal fault 3', async () => {
    expect((await run(['no-such-command'])).exit).toBe(EXIT.usage);
    expect((await run(['hub', 'add', '--org', 'Riverside Care'])).exit).toBe(EXIT.usage); // missing --id
    expect((await run(['hub', 'add', '--org', 'Riverside Care', '--id', 'Bad_Hub!'])).exit).toBe(EXIT.refused);
    const file = path.join(tmp.dir, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const i = io();
    const exit = await runCli(['node', 'hearth', '--data-dir', path.join(file, 'data'), 'org', 'list'], [], i);
    expect(exit).toBe(EXIT.internal);
    expect(i.err.join('')).toMatch(/^HEARTH_ERR_INTERNAL: unexpected fault: /);
    expect([EXIT.ok, EXIT.refused, EXIT.usage, EXIT.internal]).toEqual([0, 1, 2, 3]);
    // A missing file and a plan value of the wrong shape are refusals with a sentence, not faults.
    const missing = await run(['channel', 'add', '--org', 'Riverside Care', '--owner-type', 'route', '--owner', 'night', '--kind', 'webhook', '--config', '/no/such/file.json']);
    expect(missing).toMatchObject({ exit: EXIT.refused, err: 'HEARTH_ERR_VALIDATION: cannot read "/no/such/file.json": no such file\n' });
    const plan = await run(['resident', 'add', '--org', 'Riverside Care', '--neighbourhood', 'North', '--name', 'P', '--plan', '{"longLieMinutes":"soon"}', '--confirm-consent']);
    expect(plan.exit).toBe(EXIT.refused);
    expect(plan.err).toMatch(/^HEARTH_ERR_(VALIDATION|PLAN_BOUNDS): .*longLieMinutes/);
  });
});

describe('admin CLI: list, show, remove and disable for every kind of record', () => {
  const tmp = tempDir();
  const run = async (...args: string[]): Promise<Run> => {
    const i = io();
    const exit = await runCli(['node', 'hearth', '--data-dir', tmp.dir, '--json', ...args], [], i);
    const out = i.out.join('').trim();
    return { exit, out, err: i.err.join(''), json: out ? JSON.parse(out) : undefined };
  };
  const ok = async (...args: string[]): Promise<any> => {
    const r = await run(...args);
    if (r.exit !== 0) throw new Error(`${args.join(' ')}: ${r.out}`);
    return r.json;
  };
  const peek = async <T,>(fn: (o: OpenedDb) => Promise<T>): Promise<T> => {
    const o = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    try {
      return await fn(o);
    } finally {
      await o.db.destroy();
    }
  };
  afterAll(() => tmp.remove());

  it('lists and shows each kind, refuses to remove what is still used (saying what holds it), removes what is not', async () => {
    await ok('org', 'add', 'Kinds Org');
    await ok('org', 'add', 'Empty Org');
    await ok('neighbourhood', 'add', '--org', 'Kinds Org', '--name', 'North');
    process.env.HEARTH_PASSWORD = 'a-long-and-unusual-passphrase-41';
    const user = await ok('user', 'add', '--org', 'Kinds Org', '--username', 'olive.kinds', '--role', 'operator', '--neighbourhood', 'North');
    delete process.env.HEARTH_PASSWORD;
    const hub = await ok('hub', 'add', '--org', 'Kinds Org', '--id', 'hub-kinds-1');
    await ok('hub', 'add', '--org', 'Kinds Org', '--id', 'hub-kinds-2');
    await ok('sensor', 'add', '--hub', 'hub-kinds-1', '--sensor', 'hall-pir', '--type', 'motion', '--room', 'hall');
    await ok('sensor', 'add', '--hub', 'hub-kinds-1', '--sensor', 'spare', '--type', 'motion', '--room', 'loft');
    await ok('resident', 'add', '--org', 'Kinds Org', '--neighbourhood', 'North', '--name', 'Ann Kinds', '--hub', 'hub-kinds-1', '--confirm-consent');
    fs.writeFileSync(path.join(tmp.dir, 'hook.json'), JSON.stringify({ url: 'https://example.org/hook', secret: 'a-secret-of-sixteen-or-more' }));
    await ok('channel', 'add', '--org', 'Kinds Org', '--owner-type', 'route', '--owner', 'night', '--kind', 'webhook', '--name', 'Night hook', '--config', path.join(tmp.dir, 'hook.json'));

    expect((await ok('org', 'list')).map((o: any) => o.name)).toEqual(['Empty Org', 'Kinds Org']);
    expect(await ok('org', 'show', 'Kinds Org')).toMatchObject({ neighbourhoods: 1, users: 1, residents: 1, hubs: 2, channels: 1 });
    expect((await ok('neighbourhood', 'list', '--org', 'Kinds Org')).map((n: any) => n.name)).toEqual(['North']);
    expect(await ok('neighbourhood', 'show', '--org', 'Kinds Org', 'North')).toMatchObject({ urgentStart: '08:00', residents: 1, users: 1 });
    expect(await ok('user', 'show', '--org', 'Kinds Org', 'olive.kinds')).toMatchObject({ id: user.id, role: 'operator', disabled: false });
    expect((await ok('resident', 'list', '--org', 'Kinds Org'))[0]).toMatchObject({ name: 'Ann Kinds', hubId: 'hub-kinds-1', monitoringEnded: false });
    expect((await ok('hub', 'list', '--org', 'Kinds Org')).map((h: any) => h.id)).toEqual(['hub-kinds-1', 'hub-kinds-2']);
    expect(await ok('hub', 'show', '--org', 'Kinds Org', 'hub-kinds-1')).toMatchObject({ sensors: 2, disabled: false });
    expect((await ok('sensor', 'list', '--hub', 'hub-kinds-1')).map((s: any) => s.sensorId)).toEqual(['hall-pir', 'spare']);
    expect(await ok('sensor', 'show', '--hub', 'hub-kinds-1', 'hall-pir')).toMatchObject({ type: 'motion', room: 'hall', commissioned: true });
    expect(await ok('channel', 'show', '--org', 'Kinds Org', 'Night hook')).toMatchObject({ kind: 'webhook', target: 'https://example.org/hook', enabled: true });
    // Another organisation's records are not found through this one.
    expect((await run('hub', 'show', '--org', 'Empty Org', 'hub-kinds-1')).json.error.code).toBe('HEARTH_ERR_NOT_FOUND');

    const refused = async (args: string[], words: RegExp) => {
      const r = await run(...args);
      expect(r.exit, args.join(' ')).toBe(1);
      expect(r.json.error.code).toBe('HEARTH_ERR_CONFLICT');
      expect(r.json.error.message).toMatch(words);
    };
    await refused(['org', 'remove', 'Kinds Org'], /still has 1 neighbourhood\(s\), 1 user\(s\), 1 resident\(s\), 2 hub\(s\), 1 channel\(s\)/);
    await refused(['neighbourhood', 'remove', '--org', 'Kinds Org', 'North'], /still has 1 resident\(s\), 1 user\(s\)/);
    await refused(['hub', 'remove', '--org', 'Kinds Org', 'hub-kinds-1'], /still has 1 resident\(s\) linked/);
    await peek(({ db }) => db.insertInto('events').values({ hub_id: 'hub-kinds-1', event_id: 'e1', ts: 1, received_at: 1, sensor: 'hall-pir', type: 'motion', value: 'true', battery: null, late: 0 }).execute());
    await refused(['sensor', 'remove', '--hub', 'hub-kinds-1', 'hall-pir'], /still has 1 event\(s\) stored: its history is kept; disable the sensor instead/);

    await ok('sensor', 'remove', '--hub', 'hub-kinds-1', 'spare');
    // A hub registered but never heard from goes with its commissioning state (the installer's table, where migrated).
    await peek(async ({ db }) => {
      const t = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'hub_commissioning'`.execute(db);
      if (t.rows[0]!.n) await sql`INSERT INTO hub_commissioning (hub_id, started_at) VALUES ('hub-kinds-2', 1)`.execute(db);
    });
    await ok('hub', 'remove', '--org', 'Kinds Org', 'hub-kinds-2');
    await ok('channel', 'remove', '--org', 'Kinds Org', 'Night hook');
    await ok('org', 'remove', 'Empty Org');
    expect((await ok('sensor', 'list', '--hub', 'hub-kinds-1')).map((s: any) => s.sensorId)).toEqual(['hall-pir']);
    expect((await ok('org', 'list')).map((o: any) => o.name)).toEqual(['Kinds Org']);
    expect((await ok('channel', 'list', '--org', 'Kinds Org'))).toEqual([]);

    // disable: each with its effect, and enable undoes it.
    const d = (o: OpenedDb) => new Directory(o.db, () => Date.now());
    await ok('hub', 'disable', '--org', 'Kinds Org', 'hub-kinds-1');
    expect(await peek((o) => d(o).authenticateHub('hub-kinds-1', hub.secret))).toBeNull();
    await ok('hub', 'enable', '--org', 'Kinds Org', 'hub-kinds-1');
    expect(await peek((o) => d(o).authenticateHub('hub-kinds-1', hub.secret))).not.toBeNull();
    await ok('sensor', 'disable', '--hub', 'hub-kinds-1', 'hall-pir');
    expect((await peek((o) => d(o).getHome('hub-kinds-1')))?.sensors.get('hall-pir')?.commissioned).toBe(false);
    await ok('resident', 'disable', '--org', 'Kinds Org', 'Ann Kinds');
    expect((await peek((o) => d(o).getHome('hub-kinds-1')))?.residents).toEqual([]);
    await ok('resident', 'enable', '--org', 'Kinds Org', 'Ann Kinds');
    expect((await peek((o) => d(o).getHome('hub-kinds-1')))?.residents).toHaveLength(1);
    await peek(({ db }) => db.insertInto('sessions').values({ token_hash: 'h1', user_id: user.id, created_at: 0, expires_at: Date.now() + 3600_000 }).execute());
    await ok('user', 'disable', '--org', 'Kinds Org', 'olive.kinds');
    expect(await peek(({ db }) => db.selectFrom('sessions').select('token_hash').where('user_id', '=', user.id).execute())).toEqual([]);
    expect(await peek((o) => d(o).checkPassword('olive.kinds', 'a-long-and-unusual-passphrase-41'))).toBeNull();
    await ok('user', 'enable', '--org', 'Kinds Org', 'olive.kinds');
    await ok('org', 'disable', 'Kinds Org');
    expect(await peek((o) => d(o).checkPassword('olive.kinds', 'a-long-and-unusual-passphrase-41'))).toBeNull();
    expect(await peek((o) => d(o).authenticateHub('hub-kinds-1', hub.secret))).toBeNull();
    await ok('org', 'enable', 'Kinds Org');
    expect(await peek((o) => d(o).checkPassword('olive.kinds', 'a-long-and-unusual-passphrase-41'))).toMatchObject({ username: 'olive.kinds' });
    // A resident with no history can be removed; one with an alert on record is kept (disable instead).
    await ok('resident', 'add', '--org', 'Kinds Org', '--neighbourhood', 'North', '--name', 'Temp Kinds', '--confirm-consent');
    await ok('resident', 'remove', '--org', 'Kinds Org', 'Temp Kinds');
    const ann = (await ok('resident', 'list', '--org', 'Kinds Org')).find((r: any) => r.name === 'Ann Kinds');
    const kindsOrg = (await ok('org', 'show', 'Kinds Org')).id as string;
    await peek(({ db }) =>
      sql`INSERT INTO alerts (id, org_id, hub_id, resident_id, subject, type, severity, state, occurred_at, raised_at, updated_at, repeat_count, cause, late, escalation_level)
        VALUES ('kinds-alert', ${kindsOrg}, 'hub-kinds-1', ${ann.id}, ${ann.id}, 'call', 'urgent', 'resolved', 1, 1, 1, 0, '{}', 0, 0)`.execute(db),
    );
    await refused(['resident', 'remove', '--org', 'Kinds Org', 'Ann Kinds'], /still has 1 alert\(s\) on record: their record is kept; disable them \(monitoring ended\) instead/);
    // A user who never acted can be removed; a neighbourhood has no disabled state, and says so by not offering it.
    await ok('user', 'remove', '--org', 'Kinds Org', 'olive.kinds');
    expect((await run('neighbourhood', 'disable', '--org', 'Kinds Org', 'North')).exit).toBe(2);
  });
});
