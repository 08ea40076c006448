import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';

/** The relational store: kysely over one better-sqlite3 connection. */
export type Db = Kysely<Database>;

/** An opened database: the kysely handle and the raw connection (for pragmas and backups). */
export interface OpenedDb {
  db: Db;
  raw: SQLite.Database;
  file: string;
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Migrations are files in db/migrations, applied in name order: each capability
 * adds its own numbered file (0001-foundation.ts, ...) and exports `up`.
 */
class FolderProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}-.*\.ts$/.test(f)).sort()) {
      out[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Migration;
    }
    return out;
  }
}

/**
 * Open (and migrate) the SQLite database. WAL mode with synchronous=FULL: a
 * commit is on disk before we acknowledge anything to a hub, even on power loss.
 */
export async function openDatabase(file: string): Promise<OpenedDb> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  // Capabilities number their migrations independently, so a lower number may land after a higher one.
  const migrator = new Migrator({ db, provider: new FolderProvider(), allowUnorderedMigrations: true });
  // Foreign keys off while migrating, as SQLite's procedure for rebuilding a table asks
  // (a pragma that is a no-op inside the migrations' transaction); checked before use.
  raw.pragma('foreign_keys = OFF');
  const { error, results } = await migrator.migrateToLatest();
  raw.pragma('foreign_keys = ON');
  const broken = raw.pragma('foreign_key_check') as unknown[];
  if (broken.length) throw new Error(`database migration left ${broken.length} rows breaking foreign keys`);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  return { db, raw, file };
}
