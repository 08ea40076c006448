import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CompiledQuery, Kysely, Migrator, SqliteDialect, SqliteDriver, type DatabaseConnection, type Migration, type MigrationProvider, type QueryResult, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.ts';
import { WriteGate } from './write-gate.ts';

/** The relational store: kysely over one better-sqlite3 connection. */
export type Db = Kysely<Database>;

/** An opened database: the kysely handle, the raw connection (for pragmas and backups), and the write gate it shares with the ingest writer thread. */
export interface OpenedDb {
  db: Db;
  raw: SQLite.Database;
  file: string;
  gate: WriteGate;
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

/** How long a write on the main connection waits for its turn at the gate, and for the lock (busy_timeout, other processes), before it fails. */
const MAIN_WRITE_WAIT_MS = 5_000;

/**
 * The one connection as the driver hands it out: a write outside a transaction (one statement, auto-
 * committed) waits for its turn at the write gate first; inside a transaction the turn is already held.
 */
class GatedConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly statements: { prepare(sql: string): SQLite.Statement },
    private readonly gate: WriteGate,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction || this.statements.prepare(query.sql).readonly) return this.inner.executeQuery<R>(query);
    await this.gate.acquireMain(MAIN_WRITE_WAIT_MS);
    try {
      return await this.inner.executeQuery<R>(query);
    } finally {
      this.gate.releaseMain();
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * kysely's SQLite driver, with transactions that begin IMMEDIATE: the ingest writer thread writes to the
 * same file on a connection of its own, and a deferred transaction that read first and wrote second would
 * fail (SQLITE_BUSY_SNAPSHOT) whenever the thread had committed in between; an immediate one takes the
 * write lock first. It takes its turn at the write gate (write-gate.ts) before that, so the lock is free
 * when it asks and SQLite's busy handler never sleeps on the event loop.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  private gated: GatedConnection | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly statements: { prepare(sql: string): SQLite.Statement },
    private readonly gate: WriteGate,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    if (this.gated?.inner !== inner) this.gated = new GatedConnection(inner, this.statements, this.gate);
    return this.gated;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as GatedConnection;
    await this.gate.acquireMain(MAIN_WRITE_WAIT_MS);
    try {
      await c.inner.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (err) {
      this.gate.releaseMain();
      throw err;
    }
    c.inTransaction = true;
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as GatedConnection;
    // A failed commit is rolled back by kysely, which gives the turn back then.
    await c.inner.executeQuery(CompiledQuery.raw('commit'));
    this.endTransaction(c);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as GatedConnection;
    try {
      await c.inner.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.endTransaction(c);
    }
  }

  private endTransaction(c: GatedConnection): void {
    if (!c.inTransaction) return;
    c.inTransaction = false;
    this.gate.releaseMain();
  }
}

/** The SQLite dialect with the driver above. */
class HearthSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly statements: { prepare(sql: string): SQLite.Statement },
    private readonly gate: WriteGate,
  ) {
    super(config);
  }

  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.config, this.statements, this.gate);
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
  raw.pragma(`busy_timeout = ${MAIN_WRITE_WAIT_MS}`);
  const statements = cachedStatements(raw);
  const gate = new WriteGate();
  const db = new Kysely<Database>({ dialect: new HearthSqliteDialect({ database: statements }, statements, gate) });
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
  return { db, raw, file, gate };
}
