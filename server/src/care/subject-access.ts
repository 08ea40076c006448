// Everything held about a resident, for a subject access request (UK GDPR art. 15): each place
// personal data lives, described as data. Tables another capability has not migrated yet are skipped.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** Where a resident's data lives: a table and how its rows are found. */
interface Source {
  table: string;
  /** Rows whose column equals the resident's id, their hub's id, or one of their alerts' ids. */
  by: 'resident' | 'hub' | 'alert';
  column: string;
  /** Columns never exported (secrets of the service, not data about the person). */
  omit?: string[];
}

/** The sources, as a table. */
export const SUBJECT_SOURCES: Source[] = [
  { table: 'residents', by: 'resident', column: 'id' },
  { table: 'resident_records', by: 'resident', column: 'resident_id' },
  { table: 'plan_changes', by: 'resident', column: 'resident_id' },
  { table: 'mdt_notes', by: 'resident', column: 'resident_id' },
  { table: 'away_periods', by: 'resident', column: 'resident_id' },
  { table: 'daily_summaries', by: 'resident', column: 'resident_id' },
  { table: 'alerts', by: 'resident', column: 'resident_id' },
  { table: 'alert_log', by: 'alert', column: 'alert_id' },
  { table: 'notifications', by: 'alert', column: 'alert_id' },
  { table: 'notification_attempts', by: 'alert', column: 'alert_id' },
  { table: 'events', by: 'hub', column: 'hub_id' },
  { table: 'sensors', by: 'hub', column: 'hub_id' },
];

/** One section of the export: a table's rows about the resident. */
export interface SubjectSection {
  source: string;
  rows: Record<string, unknown>[];
}

/** The export: when, about whom, and every section (the access log of who saw them included). */
export interface SubjectAccessExport {
  generatedAt: string;
  residentId: string;
  sections: SubjectSection[];
}

/** Gather everything held about one resident (the caller has checked the organisation). */
export async function subjectAccess(db: Db, residentId: string, now: number): Promise<SubjectAccessExport> {
  const present = new Set((await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db)).rows.map((r) => r.name));
  const resident = await db.selectFrom('residents').select(['hub_id']).where('id', '=', residentId).executeTakeFirstOrThrow();
  const alertIds = (await db.selectFrom('alerts').select('id').where('resident_id', '=', residentId).execute()).map((a) => a.id);
  const sections: SubjectSection[] = [];
  for (const s of SUBJECT_SOURCES) {
    if (!present.has(s.table)) continue;
    const keys = s.by === 'resident' ? [residentId] : s.by === 'hub' ? (resident.hub_id ? [resident.hub_id] : []) : alertIds;
    if (!keys.length) {
      sections.push({ source: s.table, rows: [] });
      continue;
    }
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(s.table)} WHERE ${sql.ref(s.column)} IN (${sql.join(keys)})`.execute(db)).rows;
    sections.push({ source: s.table, rows: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !s.omit?.includes(k)))) });
  }
  // Who saw them: access log entries naming the resident (subjects are a JSON array of ids).
  const seen = await db.selectFrom('access_log').selectAll().where('subject', 'like', `%${JSON.stringify(residentId)}%`).orderBy('id').execute();
  sections.push({ source: 'access_log', rows: seen as unknown as Record<string, unknown>[] });
  return { generatedAt: new Date(now).toISOString(), residentId, sections };
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The export as CSV: one line per value (source, row, field, value), so every table fits one file. */
export function subjectAccessCsv(e: SubjectAccessExport): string {
  const lines = ['source,row,field,value'];
  for (const s of e.sections) s.rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) lines.push([s.source, i + 1, k, v].map(csvCell).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
