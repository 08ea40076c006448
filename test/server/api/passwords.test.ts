import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordProblem } from '../../../server/src/auth/password-policy.ts';
import { runCliJson } from '../../helpers/cli.ts';
import { seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, type Api } from '../routing/fixture.ts';

describe('defect 12: weak passwords and username enumeration', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let other: Fixture;
  let admin: Api;
  let otherAdmin: Api;
  beforeAll(async () => {
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Pw Org', 'hub-pw-1');
    other = await seedOrg(h.hearth, 'Pw Other Org', 'hub-pw-2');
    admin = await apiAs(h.hearth, fx.users.admin);
    otherAdmin = await apiAs(h.hearth, other.users.admin);
  });
  afterAll(async () => h.close());

  const weak = ['12345678', 'password', '        ', 'newstaff1', 'Password123!', 'qwertyuiop', 'short1!'];

  it('the API refuses common, breached, short and username-built passwords, and creates nothing', async () => {
    for (const password of weak) {
      const res = await admin.call('POST', '/api/users', { username: 'newstaff', password, role: 'operator' });
      expect(res.status, `${JSON.stringify(password)}: ${res.body}`).toBe(400);
      expect(res.json.code, password).toBe(password.length < 8 ? 'HEARTH_ERR_VALIDATION' : 'HEARTH_ERR_PASSWORD_WEAK');
    }
    expect(await h.hearth.services.db.selectFrom('users').where('username', '=', 'newstaff').selectAll().execute()).toEqual([]);
    const ok = await admin.call('POST', '/api/users', { username: 'newstaff', password: 'violet orbit harbour tea', role: 'operator' });
    expect(ok.status, ok.body).toBe(201);
  });

  it('Directory.addUser and the CLI apply the same rules', async () => {
    await expect(h.hearth.services.directory.addUser({ orgId: fx.orgId, username: 'dora', password: 'dora12345', role: 'operator' })).rejects.toMatchObject({ code: 'HEARTH_ERR_PASSWORD_WEAK' });
    await expect(h.hearth.services.directory.addUser({ orgId: fx.orgId, username: 'eve', password: 'iloveyou', role: 'operator' })).rejects.toMatchObject({ code: 'HEARTH_ERR_PASSWORD_WEAK' });
    expect(passwordProblem('Kettle-operator-hub-pw-1-lantern-7Qv', ['operator@hub-pw-1'])).toBeNull();
    process.env.HEARTH_PASSWORD = 'letmein1';
    try {
      await expect(runCliJson(h.dataDir, ['user', 'add', '--org', fx.orgId, '--username', 'cli-weak', '--role', 'operator'])).rejects.toThrow(/too easy|password/i);
    } finally {
      delete process.env.HEARTH_PASSWORD;
    }
  });

  it("defect 12: usernames are per organisation, so another organisation's names cannot be confirmed; each person signs in with their own password", async () => {
    const mine = await admin.call('POST', '/api/users', { username: fx.users.operator.username, password: 'violet orbit harbour tea', role: 'operator' });
    expect(mine.status).toBe(409);
    // The other organisation's operator's name is free here: creating it says nothing about them.
    const theirs = await admin.call('POST', '/api/users', { username: other.users.operator.username, password: 'amber kettle lighthouse moss', role: 'operator' });
    expect(theirs.status).toBe(201);
    expect(theirs.body).not.toContain(other.orgId);
    const same = other.users.operator.username;
    // Both people of that name sign in, each to their own organisation.
    const ours = await signIn(h.hearth, same, 'amber kettle lighthouse moss');
    const whoOurs = await h.hearth.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${ours}` } });
    expect((whoOurs.json() as { user: { orgId: string } }).user.orgId).toBe(fx.orgId);
    const theirsToken = await signIn(h.hearth, same, other.users.operator.password);
    const whoTheirs = await h.hearth.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${theirsToken}` } });
    expect((whoTheirs.json() as { user: { orgId: string } }).user.orgId).toBe(other.orgId);
    expect((await otherAdmin.call('GET', '/api/users')).json.users.filter((u: any) => u.username === same)).toHaveLength(1);
  });
});
