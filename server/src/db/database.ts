import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CompiledQuery, Kysely, Migrator, SqliteDialect, SqliteDriver, type DatabaseConnection, type Migration, type MigrationProvider, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.ts';

/** The relational store: kysely over one better-sqlite3 connection. */
export type Db = Kysely<Database>;

/** An opened database: the kysely handle and the raw connection (for pragmas and backups). */
export interface OpenedDb {
  db: Db;
  raw: SQLite.Database;
  file: string;
}

/** Statements kept prepared for kysely, by SQL text (the least recently used beyond this are dropped). */
const STATEMENT_CACHE = 500;

/**
 * The connection as kysely's SQLite driver sees it, with each statement
 * prepared once: the driver prepares every query it runs, and compiling the
 * same SQL again was a good part of what an alert's transaction cost. Safe
 * because the driver only ever runs a statement to completion (all or run);
 * SQLite re-prepares a statement itself after a schema change.
 */
function cachedStatements(raw: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SQLite.Statement {
      let stmt = cache.get(sql);
      if (stmt) {
        // Most recently used last, so the first key is the one to drop.
        cache.delete(sql);
      } else {
        stmt = raw.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close: () => raw.close(),
  };
}

/**
 * kysely's SQLite driver, with transactions that begin IMMEDIATE: the ingest writer thread writes to the
 * same file on a connection of its own, and a deferred transaction that read first and wrote second would
 * fail (SQLITE_BUSY_SNAPSHOT) whenever the thread had committed in between; an immediate one takes the
 * write lock first, waiting its turn (busy_timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** The SQLite dialect with the driver above. */
class HearthSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.config);
  }
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
  const db = new Kysely<Database>({ dialect: new HearthSqliteDialect({ database: cachedStatements(raw) }) });
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
