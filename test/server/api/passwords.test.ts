import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordProblem } from '../../../server/src/auth/password-policy.ts';
import { runCliJson } from '../../helpers/cli.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
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

  it("a taken username gets the same answer whether it is this organisation's or another's", async () => {
    const mine = await admin.call('POST', '/api/users', { username: fx.users.operator.username, password: 'violet orbit harbour tea', role: 'operator' });
    const theirs = await admin.call('POST', '/api/users', { username: other.users.operator.username, password: 'violet orbit harbour tea', role: 'operator' });
    expect(mine.status).toBe(409);
    expect(theirs.status).toBe(409);
    expect(theirs.json).toEqual(mine.json);
    expect(theirs.body).not.toContain(other.users.operator.username);
    expect((await otherAdmin.call('GET', '/api/users')).json.users.map((u: any) => u.username)).not.toContain('newstaff');
  });
});
