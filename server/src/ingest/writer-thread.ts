// The writer thread's body: its own SQLite connection, storing the moments the main thread sends, one at
// a time, in the order sent. Started by ThreadSink (moment-sink.ts) through writer-boot.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { MomentStore, type MomentOutcome, type PackedMoment } from './moment-store.ts';

/** A moment to store. */
export interface WriterRequest {
  id: number;
  moment: PackedMoment;
}

/** The answer for one request: what was stored, or why nothing was. */
export type WriterReply = ({ id: number; ok: true } & MomentOutcome) | { id: number; ok: false; message: string; code: string | undefined };

const port = parentPort!;
const raw = new SQLite((workerData as { file: string }).file);
// As the main connection (database.ts): WAL, and a commit is on disk before the hub is acknowledged.
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = FULL');
raw.pragma('foreign_keys = ON');
// Longer than the main connection's: a maintenance job's long transaction delays moments, it does not fail them.
raw.pragma('busy_timeout = 30000');
const store = new MomentStore(raw);

port.on('message', (req: WriterRequest | 'close') => {
  if (req === 'close') {
    raw.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { id: req.id, ok: true, ...store.write(req.moment) };
  } catch (err) {
    const e = err as { message?: string; code?: string };
    reply = { id: req.id, ok: false, message: String(e.message ?? err), code: e.code };
  }
  port.postMessage(reply);
});
