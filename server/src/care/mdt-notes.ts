import crypto from 'node:crypto';
import type { Db } from '../db/database.ts';

/** A note for the multidisciplinary team (MDT), kept with the resident. */
export interface MdtNote {
  id: string;
  at: string;
  authorId: string;
  authorName: string | null;
  text: string;
}

/** Notes for the MDT meeting, per resident; kept (never edited in place), newest first. */
export class MdtNotes {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Add a note. */
  async add(orgId: string, residentId: string, authorId: string, text: string): Promise<MdtNote> {
    const row = { id: crypto.randomUUID(), resident_id: residentId, org_id: orgId, at: this.now(), author_id: authorId, text };
    await this.db.insertInto('mdt_notes').values(row).execute();
    const author = await this.db.selectFrom('users').select('display_name').where('id', '=', authorId).executeTakeFirst();
    return { id: row.id, at: new Date(row.at).toISOString(), authorId, authorName: author?.display_name ?? null, text };
  }

  /** A resident's notes, newest first. */
  async list(orgId: string, residentId: string, limit = 200): Promise<MdtNote[]> {
    const rows = await this.db
      .selectFrom('mdt_notes')
      .leftJoin('users', 'users.id', 'mdt_notes.author_id')
      .select(['mdt_notes.id', 'mdt_notes.at', 'mdt_notes.author_id', 'users.display_name', 'mdt_notes.text'])
      .where('mdt_notes.org_id', '=', orgId)
      .where('mdt_notes.resident_id', '=', residentId)
      .orderBy('mdt_notes.at', 'desc')
      .orderBy('mdt_notes.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), authorId: r.author_id, authorName: r.display_name ?? null, text: r.text }));
  }
}
