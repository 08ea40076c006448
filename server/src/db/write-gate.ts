// Turns for SQLite's one write lock between the server's two connections: the main one (kysely: alerts,
// sessions, the access log, every API write) and the ingest writer thread's (moment-sink.ts).
//
// Why here and not SQLite's busy_timeout: when a connection finds the lock taken, SQLite's busy handler
// sleeps and tries again, 1, 2, 5, 10 ms and on. better-sqlite3 is synchronous, so on the main connection
// that sleep stops the whole event loop (no socket read, no PUBACK, no stream), and the thread, which
// takes the lock again as soon as it has let it go, can win every retry. Under load an alert's
// transaction waited up to 11 ms that way, most of the fall-to-console tail. Within the process each
// side now waits its turn here, without blocking anything; busy_timeout stays for other processes (the CLI).

/** Who may write next: the thread (any number of its writes queued in it) or the main connection (one at a time). */
export class WriteGate {
  /** Writes handed to the thread and not yet answered. */
  private threadWrites = 0;
  /** The main connection holds the turn (a transaction or one statement). */
  private mainHeld = false;
  /** Waiting in arrival order; a waiting main turn holds back later thread writes, so neither side starves. */
  private readonly waiting: { side: 'thread' | 'main'; go: () => void }[] = [];

  /** Run `go` once the thread may write (at once when nobody holds or waits for the main turn). */
  enterThread(go: () => void): void {
    if (!this.mainHeld && this.waiting.length === 0) {
      this.threadWrites++;
      go();
    } else this.waiting.push({ side: 'thread', go });
  }

  /** One thread write is answered (committed, failed, or lost with the thread). */
  leaveThread(): void {
    if (this.threadWrites > 0) this.threadWrites--;
    this.next();
  }

  /**
   * Resolves once the main connection may write: no thread write is under way and nobody was waiting
   * first. After `timeoutMs` it fails as SQLite would (SQLITE_BUSY) and gives up its place. The wait
   * is real time, not the injected clock: like busy_timeout, it bounds a lock, not a domain rule.
   */
  acquireMain(timeoutMs: number): Promise<void> {
    if (!this.mainHeld && this.threadWrites === 0 && this.waiting.length === 0) {
      this.mainHeld = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        side: 'main' as const,
        go: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        this.next(); // thread writes queued behind it may go now
        reject(Object.assign(new Error(`the database stayed locked by the ingest writer for ${timeoutMs} ms`), { code: 'SQLITE_BUSY' }));
      }, timeoutMs);
      timer.unref?.();
      this.waiting.push(entry);
    });
  }

  /** The main connection's write is committed or rolled back. */
  releaseMain(): void {
    this.mainHeld = false;
    this.next();
  }

  /** Whether anything holds or waits for a turn (the tests check that every turn was given back). */
  get busy(): boolean {
    return this.mainHeld || this.threadWrites > 0 || this.waiting.length > 0;
  }

  private next(): void {
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (head.side === 'main') {
        if (this.mainHeld || this.threadWrites > 0) return;
        this.mainHeld = true;
      } else {
        if (this.mainHeld) return;
        this.threadWrites++;
      }
      this.waiting.shift();
      head.go();
    }
  }
}
