// Where a moment's transaction runs: on the main connection (InlineSink), or on a writer thread with
// a connection of its own (ThreadSink), so the main thread parses, acknowledges and analyses while the
// thread inserts rows and waits for the disk.
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { WriteGate } from '../db/write-gate.ts';
import { MomentStore, type MomentOutcome, type PackedMoment } from './moment-store.ts';
import type { WriterReply, WriterRequest } from './writer-thread.ts';

/** Stores moments, one at a time, in the order given; each promise resolves after its commit. */
export interface MomentSink {
  write(m: PackedMoment): Promise<MomentOutcome>;
  /** Finish what was sent, then release the connection or thread. */
  close(): Promise<void>;
}

/**
 * The transaction on the main connection, holding kysely's single connection (`db.connection()`) so no
 * other query interleaves with it. Used for an in-memory database, which a thread cannot share.
 */
export class InlineSink implements MomentSink {
  private readonly store: MomentStore;

  constructor(
    private readonly db: Db,
    raw: SQLite.Database,
  ) {
    this.store = new MomentStore(raw);
  }

  write(m: PackedMoment): Promise<MomentOutcome> {
    return this.db.connection().execute(async () => this.store.write(m));
  }

  async close(): Promise<void> {}
}

const BOOT = new URL('./writer-boot.mjs', import.meta.url);
const ENTRY = new URL('./writer-thread.ts', import.meta.url).href;

/**
 * The transaction on a writer thread with its own connection to the same file (WAL: readers on the main
 * connection are never blocked; the two connections take turns to write at the write gate (write-gate.ts), and the main connection's
 * transactions begin IMMEDIATE, so neither finds its snapshot overtaken). The thread starts with the
 * first write. If it dies, what it had not answered is refused (the hubs re-send: nothing was
 * acknowledged), and the next write starts a new one.
 */
export class ThreadSink implements MomentSink {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (o: MomentOutcome) => void; reject: (err: Error) => void }>();
  private exited: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    /** Shared with the main connection (openDatabase): each side writes in its turn. */
    private readonly gate: WriteGate = new WriteGate(),
  ) {}

  write(m: PackedMoment): Promise<MomentOutcome> {
    return new Promise<MomentOutcome>((resolve, reject) => {
      // In the order written: the gate lets thread writes through in the order they asked.
      this.gate.enterThread(() => {
        const id = this.nextId++;
        this.waiting.set(id, { resolve, reject });
        try {
          (this.worker ?? this.start()).postMessage({ id, moment: m } satisfies WriterRequest);
        } catch (err) {
          this.waiting.delete(id);
          this.gate.leaveThread();
          reject(err as Error);
        }
      });
    });
  }

  async close(): Promise<void> {
    // After every write that asked for its turn before this one.
    await new Promise<void>((resolve) => this.gate.enterThread(resolve));
    try {
      const worker = this.worker;
      if (!worker) return;
      // Messages are taken in order: everything sent before this is written first.
      worker.postMessage('close');
      await this.exited;
    } finally {
      this.gate.leaveThread();
    }
  }

  private start(): Worker {
    const worker = new Worker(BOOT, { workerData: { file: this.file, entry: ENTRY } });
    this.worker = worker;
    worker.on('message', (r: WriterReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      this.gate.leaveThread();
      if (r.ok) w.resolve({ firstSeq: r.firstSeq, inserted: r.inserted });
      else w.reject(Object.assign(new Error(r.message), { code: r.code }));
    });
    worker.on('error', (err) => this.log.error({ err }, 'ingest writer thread failed'));
    this.exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        const lost = [...this.waiting.values()];
        this.waiting.clear();
        if (lost.length) this.log.error({ code, unanswered: lost.length }, 'ingest writer thread stopped; its moments were not acknowledged');
        for (const w of lost) {
          this.gate.leaveThread();
          w.reject(new Error(`ingest writer thread stopped (exit ${code})`));
        }
        resolve();
      }),
    );
    return worker;
  }
}
