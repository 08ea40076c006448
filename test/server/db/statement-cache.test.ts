import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/src/db/database.ts';
import { tempDir } from '../../helpers/hearth.ts';

describe('kysely over statements prepared once', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('gives the same answers when a query repeats, after a schema change, beyond the cache, and inside transactions', async () => {
    const { db } = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    await sql`CREATE TABLE t (a INTEGER)`.execute(db);
    const count = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db)).rows[0]!.n);
    for (let i = 0; i < 3; i++) await sql`INSERT INTO t (a) VALUES (${i})`.execute(db);
    expect(await count()).toBe(3);
    // The same statement after the table changed under it.
    await sql`ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'`.execute(db);
    const rows = await sql<{ a: number; b: string }>`SELECT * FROM t ORDER BY a`.execute(db);
    expect(rows.rows).toEqual([{ a: 0, b: 'x' }, { a: 1, b: 'x' }, { a: 2, b: 'x' }]);
    // More distinct statements than the cache keeps, then the first again.
    for (let i = 0; i < 600; i++) await sql.raw(`SELECT ${i} AS v`).execute(db);
    expect(await count()).toBe(3);
    // A rolled-back transaction leaves nothing, and the cached begin/commit still work afterwards.
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t (a) VALUES (9)`.execute(trx);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    await db.transaction().execute(async (trx) => sql`INSERT INTO t (a) VALUES (10)`.execute(trx));
    expect(await count()).toBe(4);
    await db.destroy();
  });
});
